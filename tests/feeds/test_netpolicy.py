"""The address policy: which addresses fetches may reach, checked on every hop, and masking.

Refused targets are never connected to: a test that would send traffic off this machine on
a broken policy points at addresses nothing answers here, and the local servers count hits.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from ipaddress import ip_address, ip_network

import aiohttp
import pytest

from bot.errors import AddressRefused
from bot.feeds.fetch import FetchLimits, fetch_feed, make_session
from bot.feeds.netpolicy import (
    AddressPolicy,
    PolicyResolver,
    ip_literal,
    mask_credentials,
)
from bot.models import FetchStatus
from tests.feeds.samples import arabic_items, rss
from tests.helpers.feedserver import FeedServer

ONLY_127_0_0_1 = AddressPolicy((ip_network("127.0.0.1/32"),))
RSS_SIMPLE = rss(arabic_items())


@pytest.mark.parametrize(
    ("address", "line"),
    [
        ("10.0.0.5", "10.0.0.5 is a private address"),
        ("172.16.3.4", "172.16.3.4 is a private address"),
        ("192.168.1.1", "192.168.1.1 is a private address"),
        ("fd12::1", "fd12::1 is a private address"),
        ("127.0.0.2", "127.0.0.2 is a loopback address"),
        ("::1", "::1 is a loopback address"),
        ("169.254.169.254", "169.254.169.254 is a link-local address"),
        ("fe80::1", "fe80::1 is a link-local address"),
        ("100.64.0.1", "100.64.0.1 is a CGNAT (shared) address"),
        ("224.0.0.251", "224.0.0.251 is a multicast address"),
        ("ff02::1", "ff02::1 is a multicast address"),
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("::", ":: is an unspecified address"),
        ("240.0.0.1", "240.0.0.1 is a reserved address"),
        ("192.0.2.7", "192.0.2.7 is a reserved address"),
        ("2001:db8::1", "2001:db8::1 is a reserved address"),
        ("::ffff:127.0.0.2", "::ffff:127.0.0.2 is a loopback address (IPv4-mapped 127.0.0.2)"),
        ("::ffff:10.0.0.5", "::ffff:10.0.0.5 is a private address (IPv4-mapped 10.0.0.5)"),
        ("::169.254.1.1", "::169.254.1.1 is a link-local address (IPv4-compatible 169.254.1.1)"),
        ("2002:a00:5::1", "2002:a00:5::1 is a private address (6to4 10.0.0.5)"),
        ("64:ff9b::7f00:1", "64:ff9b::127.0.0.1 is a loopback address (NAT64 127.0.0.1)"),
    ],
)
def test_each_kind_of_non_public_address_is_refused_with_its_name(address: str, line: str) -> None:
    assert AddressPolicy().reason(ip_address(address)) == line


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert AddressPolicy().reason(ip_address(address)) is None


def test_allowed_networks_lift_the_refusal_for_their_addresses_only() -> None:
    policy = AddressPolicy((ip_network("10.1.0.0/16"), ip_network("127.0.0.0/8")))
    assert policy.reason(ip_address("10.1.2.3")) is None
    assert policy.reason(ip_address("::ffff:127.0.0.2")) is None  # the IPv4 it reaches is allowed
    assert policy.reason(ip_address("10.2.0.1")) == "10.2.0.1 is a private address"
    assert policy.reason(ip_address("::1")) == "::1 is a loopback address"


@pytest.mark.parametrize("host", ["2130706433", "127.1", "0177.0.0.1", "10.0.5"])
def test_legacy_numeric_hosts_are_refused_as_not_plain(host: str) -> None:
    with pytest.raises(AddressRefused, match=f"refused: {host} is not a plain IP address"):
        ip_literal(host)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("https://desk:s3cret@news.example/feed", "https://desk:***@news.example/feed"),
        ("http://t0ken@news.example/rss", "http://***@news.example/rss"),
        (
            "redirect loop: http://a:b@h.example/x -> http://a:b@h.example/y?c=d@e",
            "redirect loop: http://a:***@h.example/x -> http://a:***@h.example/y?c=d@e",
        ),
        (
            "https://news.example/a@b and me@example.org",
            "https://news.example/a@b and me@example.org",
        ),
    ],
)
def test_credentials_are_masked_in_any_text(text: str, masked: str) -> None:
    assert mask_credentials(text) == masked


@pytest.fixture
async def public_only(limits: FetchLimits) -> AsyncIterator[aiohttp.ClientSession]:
    """The session with an empty FETCH_ALLOW_NETWORKS, the default."""
    async with make_session(limits) as session:
        yield session


@pytest.fixture
async def only_first_loopback(limits: FetchLimits) -> AsyncIterator[aiohttp.ClientSession]:
    """A session allowed to reach 127.0.0.1 only: 127.0.0.2 stands for an internal host."""
    async with make_session(limits, ONLY_127_0_0_1) as session:
        yield session


@pytest.fixture
async def internal_server() -> AsyncIterator[FeedServer]:
    """A feed server on 127.0.0.2, which every test session here must not reach."""
    async with FeedServer(host="127.0.0.2") as server:
        server.static("/feed.xml", RSS_SIMPLE)
        yield server


async def test_a_loopback_feed_is_refused_by_default_and_never_connected(
    public_only: aiohttp.ClientSession, feed_server: FeedServer, limits: FetchLimits
) -> None:
    feed_server.static("/feed.xml", RSS_SIMPLE)
    result = await fetch_feed(public_only, feed_server.url("/feed.xml"), limits=limits)
    assert result.status is FetchStatus.ERROR
    assert result.error == "refused: 127.0.0.1 is a loopback address"
    assert feed_server.hits["/feed.xml"] == 0


async def test_an_ipv4_mapped_loopback_literal_is_refused(
    public_only: aiohttp.ClientSession, internal_server: FeedServer, limits: FetchLimits
) -> None:
    url = f"http://[::ffff:127.0.0.2]:{internal_server.port}/feed.xml"
    result = await fetch_feed(public_only, url, limits=limits)
    assert result.error == "refused: ::ffff:127.0.0.2 is a loopback address (IPv4-mapped 127.0.0.2)"
    assert internal_server.hits["/feed.xml"] == 0


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("http://10.0.0.5/feed.xml", "refused: 10.0.0.5 is a private address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "refused: 169.254.169.254 is a link-local address",
        ),
        ("http://[fe80::1]/rss", "refused: fe80::1 is a link-local address"),
        ("http://100.64.0.1/rss", "refused: 100.64.0.1 is a CGNAT (shared) address"),
        ("http://0.0.0.0:80/rss", "refused: 0.0.0.0 is an unspecified address"),
        ("http://2130706433/rss", "refused: 2130706433 is not a plain IP address"),
    ],
)
async def test_non_public_literals_are_refused_before_any_connection(
    public_only: aiohttp.ClientSession, limits: FetchLimits, url: str, line: str
) -> None:
    result = await fetch_feed(public_only, url, limits=limits)
    assert (result.status, result.error) == (FetchStatus.ERROR, line)


async def test_a_name_resolving_to_a_refused_address_is_refused_by_the_resolver(
    public_only: aiohttp.ClientSession, feed_server: FeedServer, limits: FetchLimits
) -> None:
    feed_server.static("/feed.xml", RSS_SIMPLE)
    url = f"http://localhost:{feed_server.port}/feed.xml"
    result = await fetch_feed(public_only, url, limits=limits)
    assert result.error == "refused: localhost resolves to 127.0.0.1, a loopback address"
    assert feed_server.hits["/feed.xml"] == 0


async def test_the_resolver_returns_only_allowed_addresses() -> None:
    both = PolicyResolver(AddressPolicy((ip_network("127.0.0.0/8"),)))
    assert {r["host"] for r in await both.resolve("localhost", 80)} == {"127.0.0.1"}
    v6_only = PolicyResolver(AddressPolicy((ip_network("::1/128"),)))
    with pytest.raises(AddressRefused, match=r"refused: localhost resolves to 127\.0\.0\.1"):
        await v6_only.resolve("localhost", 80)


async def test_the_proxys_own_name_is_resolved_without_the_policy() -> None:
    resolver = PolicyResolver(AddressPolicy(), trusted=["LocalHost"])  # FEEDS_PROXY's host
    assert {r["host"] for r in await resolver.resolve("localhost", 3128)} == {"127.0.0.1"}
    with pytest.raises(AddressRefused):  # but a feed of that name is checked as any other
        await resolver.check_name("localhost")


async def test_allowed_loopback_names_are_fetched(
    only_first_loopback: aiohttp.ClientSession, feed_server: FeedServer, limits: FetchLimits
) -> None:
    feed_server.static("/feed.xml", RSS_SIMPLE)
    url = f"http://localhost:{feed_server.port}/feed.xml"
    result = await fetch_feed(only_first_loopback, url, limits=limits)
    assert result.status is FetchStatus.OK, result.error


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_to_a_refused_address_fails_the_fetch_and_is_never_followed(
    only_first_loopback: aiohttp.ClientSession,
    feed_server: FeedServer,
    internal_server: FeedServer,
    limits: FetchLimits,
    status: int,
) -> None:
    feed_server.redirect("/moved.xml", internal_server.url("/feed.xml"), status=status)
    result = await fetch_feed(only_first_loopback, feed_server.url("/moved.xml"), limits=limits)
    assert result.status is FetchStatus.ERROR
    assert result.error == "refused: 127.0.0.2 is a loopback address"
    assert result.permanent_url is None  # a refused target is never a feed's new address
    assert feed_server.hits["/moved.xml"] == 1
    assert internal_server.hits["/feed.xml"] == 0


async def test_a_redirect_hop_by_name_is_checked_by_the_resolver(
    only_first_loopback: aiohttp.ClientSession,
    feed_server: FeedServer,
    internal_server: FeedServer,
    limits: FetchLimits,
) -> None:
    # A second hop through an allowed name, then on to the internal address.
    feed_server.redirect("/a.xml", f"http://localhost:{feed_server.port}/b.xml", status=301)
    feed_server.redirect("/b.xml", f"http://[::ffff:127.0.0.2]:{internal_server.port}/feed.xml")
    result = await fetch_feed(only_first_loopback, feed_server.url("/a.xml"), limits=limits)
    assert result.error == "refused: ::ffff:127.0.0.2 is a loopback address (IPv4-mapped 127.0.0.2)"
    assert feed_server.hits["/b.xml"] == 1
    assert internal_server.hits["/feed.xml"] == 0


async def test_admin_typed_feed_credentials_are_sent(
    session: aiohttp.ClientSession, feed_server: FeedServer, limits: FetchLimits
) -> None:
    feed_server.static("/private.xml", RSS_SIMPLE)
    url = feed_server.url("/private.xml").replace("http://", "http://desk:s3cret@")
    result = await fetch_feed(session, url, limits=limits, admin_typed=True)
    assert result.status is FetchStatus.OK, result.error
    sent = feed_server.requests["/private.xml"][0]
    assert sent["Authorization"] == "Basic " + base64.b64encode(b"desk:s3cret").decode()


async def test_links_with_credentials_are_refused_unless_admin_typed(
    session: aiohttp.ClientSession, feed_server: FeedServer, limits: FetchLimits
) -> None:
    feed_server.static("/page.html", b"<html>secret page</html>")
    url = feed_server.url("/page.html").replace("http://", "http://desk:s3cret@")
    result = await fetch_feed(session, url, limits=limits)
    assert result.error == "refused: a link with a user name or password (only feeds may have one)"
    assert feed_server.hits["/page.html"] == 0


async def test_a_redirect_location_with_credentials_is_refused(
    session: aiohttp.ClientSession, feed_server: FeedServer, limits: FetchLimits
) -> None:
    feed_server.static("/feed.xml", RSS_SIMPLE)
    target = feed_server.url("/feed.xml").replace("http://", "http://desk:s3cret@")
    feed_server.redirect("/moved.xml", target, status=301)
    result = await fetch_feed(
        session, feed_server.url("/moved.xml"), limits=limits, admin_typed=True
    )
    assert result.error == "refused: a redirect to an address with a user name or password"
    assert result.permanent_url is None
    assert feed_server.hits["/feed.xml"] == 0


async def test_fetch_errors_never_show_a_feed_password(
    session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    url = "ftp://desk:s3cret@127.0.0.1:9/feed.xml"
    result = await fetch_feed(session, url, limits=limits, admin_typed=True)
    assert result.error == (
        "unsupported URL scheme 'ftp' (only http and https): ftp://desk:***@127.0.0.1:9/feed.xml"
    )
