"""Feeds and article pages through FEEDS_PROXY (http or socks5), still under the address policy.

The proxies are pproxy servers on loopback; they log each connection they relay, so a test
sees which fetches went through them. Environment proxy variables are never used for feeds.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from ipaddress import ip_network
from pathlib import Path

import aiohttp
import pytest

from bot.app import Marsad, RunOptions
from bot.feeds.fetch import FetchLimits, fetch_feed, make_session
from bot.feeds.netpolicy import AddressPolicy
from bot.models import FetchStatus
from config.settings import Settings
from tests.helpers.feedserver import LOOPBACK_ALLOWED, FeedServer
from tests.helpers.proxies import LocalProxy, local_proxy
from tests.helpers.rss import Item, rss

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
LIMITS = FetchLimits(connect_timeout=2.0, total_timeout=5.0)
BODY = "وأوضح المتحدث أن التحقيقات ما زالت جارية لمعرفة ملابسات الحادث. " * 12
PAGE = f"<html><body><article><p>{BODY}</p><p>{BODY}</p></article></body></html>".encode()
HTML = "text/html; charset=utf-8"
ONLY_127_0_0_1 = AddressPolicy((ip_network("127.0.0.1/32"),))


@pytest.fixture(params=["http", "socks5"])
async def proxy(request: pytest.FixtureRequest) -> AsyncIterator[LocalProxy]:
    """An HTTP (CONNECT and forwarding) or a SOCKS5 proxy on loopback."""
    async with local_proxy(request.param) as running:
        yield running


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        running.static("/feed.xml", rss([]))
        yield running


@asynccontextmanager
async def proxied(proxy: LocalProxy, policy: AddressPolicy) -> AsyncIterator[aiohttp.ClientSession]:
    """The feeds session through the proxy."""
    async with make_session(LIMITS, policy, proxy=proxy.url) as session:
        yield session


async def test_a_feed_is_fetched_through_the_proxy(proxy: LocalProxy, server: FeedServer) -> None:
    async with proxied(proxy, LOOPBACK_ALLOWED) as session:
        result = await fetch_feed(session, server.url("/feed.xml"), limits=LIMITS)
    assert result.status is FetchStatus.OK, result.error
    assert proxy.saw(server.url("/feed.xml")), proxy.relayed


async def test_an_https_feed_goes_through_the_proxys_tunnel(
    proxy: LocalProxy, server: FeedServer
) -> None:
    # The local server speaks plain HTTP, so TLS fails once the tunnel is open: what counts
    # is that the proxy opened it (CONNECT for http, a SOCKS5 connect), not that TLS works.
    url = server.url("/feed.xml").replace("http://", "https://")
    async with proxied(proxy, LOOPBACK_ALLOWED) as session:
        result = await fetch_feed(session, url, limits=LIMITS)
    assert result.status is FetchStatus.ERROR and "refused" not in (result.error or "")
    assert proxy.saw(url), proxy.relayed


@pytest.mark.parametrize(
    ("host", "line"),
    [
        ("127.0.0.1", "refused: 127.0.0.1 is a loopback address"),
        ("[::ffff:127.0.0.1]", "refused: ::ffff:127.0.0.1 is a loopback address (IPv4-mapped"),
        # Behind a proxy, names are resolved here for the check; the proxy resolves them again.
        ("localhost", "refused: localhost resolves to 127.0.0.1, a loopback address"),
    ],
)
async def test_refused_targets_never_reach_the_proxy(
    proxy: LocalProxy, server: FeedServer, host: str, line: str
) -> None:
    url = server.url("/feed.xml").replace("127.0.0.1", host)
    # Public addresses only; the proxy itself is on loopback, the operator's own choice.
    async with proxied(proxy, AddressPolicy()) as session:
        result = await fetch_feed(session, url, limits=LIMITS)
    assert (result.error or "").startswith(line)
    assert proxy.relayed == [] and server.hits["/feed.xml"] == 0


async def test_a_redirect_to_a_refused_address_stops_at_the_proxy(
    proxy: LocalProxy, server: FeedServer
) -> None:
    async with FeedServer(host="127.0.0.2") as internal:
        internal.static("/feed.xml", rss([]))
        server.redirect("/moved.xml", internal.url("/feed.xml"), status=301)
        async with proxied(proxy, ONLY_127_0_0_1) as session:
            result = await fetch_feed(session, server.url("/moved.xml"), limits=LIMITS)
    assert result.error == "refused: 127.0.0.2 is a loopback address"
    assert result.permanent_url is None
    assert internal.hits["/feed.xml"] == 0 and not proxy.saw(internal.url("/feed.xml"))


async def test_marsad_fetches_feeds_and_article_pages_through_feeds_proxy(
    tmp_path: Path, proxy: LocalProxy, caplog: pytest.LogCaptureFixture
) -> None:
    async with FeedServer() as feeds, FeedServer() as pages:
        pages.static("/news/1", PAGE, content_type=HTML)
        lede = Item("1", "عنوان خبر عن التحقيقات في الحادث", "مقدمة.", pages.url("/news/1"), START)
        feeds.static("/full.xml", rss([lede]))
        listed = tmp_path / "feeds.toml"
        listed.write_text(f'[[feed]]\nurl = "{feeds.url("/full.xml")}"\nfull_text = true\n')
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
            feeds_file=listed,
            telegram_bot_token=None,
            feeds_proxy=proxy.url.replace("://", "://desk:pr0xy-s3cret@"),
        )
        options = RunOptions(console="jsonl", parser_workers=1, limits=LIMITS)
        with caplog.at_level(logging.INFO):
            marsad = Marsad(settings, options=options, clock=lambda: START, stream=io.StringIO())
        try:
            await marsad.start()
            await marsad.cycle()
            await marsad.poller.pages.join()
            stored = await marsad.store.article_by_url(lede.link)
        finally:
            await marsad.close()
    assert proxy.saw(feeds.url("/full.xml")) and proxy.saw(pages.url("/news/1")), proxy.relayed
    assert stored is not None and "ملابسات الحادث" in stored.text
    assert "feeds and article pages through the proxy" in caplog.text
    assert "pr0xy-s3cret" not in caplog.text


async def test_environment_proxies_are_ignored_for_feeds(
    tmp_path: Path,
    proxy: LocalProxy,
    server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    listed = tmp_path / "feeds.toml"
    listed.write_text(f'[[feed]]\nurl = "{server.url("/feed.xml")}"\n')
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        feeds_file=listed,
        telegram_bot_token=None,
    )
    options = RunOptions(console="jsonl", parser_workers=1, limits=LIMITS)
    with caplog.at_level(logging.INFO):
        marsad = Marsad(settings, options=options, clock=lambda: START, stream=io.StringIO())
    try:
        await marsad.start()
        report = await marsad.cycle()
    finally:
        await marsad.close()
    assert (report.failed, server.hits["/feed.xml"]) == (0, 1)
    assert proxy.relayed == []  # straight to the feed
    assert "ALL_PROXY, HTTPS_PROXY, HTTP_PROXY ignored for feeds: set FEEDS_PROXY" in caplog.text


def test_feeds_proxy_settings_are_checked() -> None:
    assert Settings(feeds_proxy="").feeds_proxy is None
    with pytest.raises(ValueError, match="must start with"):
        Settings(feeds_proxy="ftp://proxy.example:21")
