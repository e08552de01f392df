"""fetch_feed against the local feed server: conditional GET, redirects, hostile servers."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TypeVar

import aiohttp
import psutil
import pytest

from bot.feeds.fetch import FetchLimits, fetch_feed, parse_max_age, parse_retry_after
from bot.feeds.parse import parse_feed
from bot.models import FetchResult, FetchStatus
from tests.feeds.conftest import NOW
from tests.feeds.samples import arabic_items, rss
from tests.helpers.feedserver import FeedServer

T = TypeVar("T")
MB = 1024 * 1024
FEED = rss(arabic_items())


async def fetch(
    session: aiohttp.ClientSession, url: str, limits: FetchLimits, **kw: str
) -> FetchResult:
    """fetch_feed with the test limits."""
    return await fetch_feed(session, url, limits=limits, **kw)


@asynccontextmanager
async def peak_rss() -> AsyncIterator[list[int]]:
    """Sample this process's RSS every 5 ms; yields [baseline, peak] filled in at exit."""
    process = psutil.Process()
    marks = [process.memory_info().rss, 0]
    peak = marks[0]
    stop = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(0.005)

    task = asyncio.create_task(sample())
    try:
        yield marks
    finally:
        stop.set()
        await task
        marks[1] = max(peak, process.memory_info().rss)


async def timed(awaitable: Awaitable[T]) -> tuple[T, float]:
    """The awaitable's result and how long it took."""
    start = time.monotonic()
    result = await awaitable
    return result, time.monotonic() - start


async def test_ok_fetch_keeps_validators_exactly_and_names_marsad(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.static(
        "/f.xml",
        FEED,
        etag='W/"v1-عربي"'.encode().decode("latin-1"),
        last_modified="Sun, 29 Nov 2026 06:00:00 GMT",
    )
    result = await fetch(session, feed_server.url("/f.xml"), limits)
    assert result.status is FetchStatus.OK and result.error is None
    assert result.body == FEED
    assert result.http_status == 200
    assert result.etag == 'W/"v1-عربي"'.encode().decode("latin-1")
    assert result.last_modified == "Sun, 29 Nov 2026 06:00:00 GMT"
    assert result.headers["content-type"].startswith("application/rss+xml")
    assert all(name == name.lower() for name in result.headers)
    assert result.permanent_url is None
    assert feed_server.requests["/f.xml"][0]["User-Agent"].startswith("Marsad/")


async def test_conditional_get_gets_304_the_second_time(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.static("/c.xml", FEED, etag='"abc"', last_modified="Sun, 29 Nov 2026 06:00:00 GMT")
    url = feed_server.url("/c.xml")
    first = await fetch(session, url, limits)
    second = await fetch(
        session, url, limits, etag=first.etag or "", last_modified=first.last_modified or ""
    )
    assert second.status is FetchStatus.NOT_MODIFIED
    assert second.body == b"" and second.http_status == 304
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    assert feed_server.requests["/c.xml"][1]["If-None-Match"] == '"abc"'
    assert feed_server.hits["/c.xml"] == 2


async def test_conditional_get_by_last_modified_alone(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    stamp = "Sun, 29 Nov 2026 06:00:00 GMT"
    feed_server.static("/lm.xml", FEED, last_modified=stamp)
    result = await fetch(session, feed_server.url("/lm.xml"), limits, last_modified=stamp)
    assert result.status is FetchStatus.NOT_MODIFIED
    assert result.last_modified == stamp and result.etag is None


async def test_changed_feed_is_fetched_again(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.static("/v.xml", FEED, etag='"v2"')
    result = await fetch(session, feed_server.url("/v.xml"), limits, etag='"v1"')
    assert result.status is FetchStatus.OK and result.etag == '"v2"'


@pytest.mark.parametrize("status", [301, 308])
async def test_permanent_redirect_sets_permanent_url(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits, status: int
) -> None:
    feed_server.redirect("/old.xml", "/new.xml", status=status)
    feed_server.static("/new.xml", FEED)
    result = await fetch(session, feed_server.url("/old.xml"), limits)
    assert result.status is FetchStatus.OK and result.body == FEED
    assert result.permanent_url == feed_server.url("/new.xml")
    assert result.url == feed_server.url("/new.xml")


@pytest.mark.parametrize("status", [302, 303, 307])
async def test_temporary_redirect_does_not_move_the_feed(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits, status: int
) -> None:
    feed_server.redirect("/tmp.xml", "/real.xml", status=status)
    feed_server.static("/real.xml", FEED)
    result = await fetch(session, feed_server.url("/tmp.xml"), limits)
    assert result.status is FetchStatus.OK
    assert result.permanent_url is None
    assert result.url == feed_server.url("/real.xml")


async def test_only_the_unbroken_permanent_prefix_of_a_chain_counts(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.redirect("/a", "/b", status=301)
    feed_server.redirect("/b", "/c", status=302)
    feed_server.redirect("/c", "/d", status=301)
    feed_server.static("/d", FEED)
    result = await fetch(session, feed_server.url("/a"), limits)
    assert result.status is FetchStatus.OK
    assert result.permanent_url == feed_server.url("/b")


async def test_permanent_redirect_then_304(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.redirect("/moved", "/here", status=301)
    feed_server.static("/here", FEED, etag='"e"')
    result = await fetch(session, feed_server.url("/moved"), limits, etag='"e"')
    assert result.status is FetchStatus.NOT_MODIFIED
    assert result.permanent_url == feed_server.url("/here")


async def test_redirect_loop_is_an_error(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.redirect("/x", "/y", status=302)
    feed_server.redirect("/y", "/x", status=301)
    result = await fetch(session, feed_server.url("/x"), limits)
    assert result.status is FetchStatus.ERROR
    assert result.error is not None and result.error.startswith("redirect loop")
    assert feed_server.hits["/x"] == 1 and feed_server.hits["/y"] == 1


async def test_five_redirects_are_followed_six_are_too_many(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    for i in range(6):
        feed_server.redirect(f"/r{i}", f"/r{i + 1}", status=302)
    feed_server.static("/r6", FEED)
    assert (await fetch(session, feed_server.url("/r1"), limits)).status is FetchStatus.OK
    result = await fetch(session, feed_server.url("/r0"), limits)
    assert result.status is FetchStatus.ERROR
    assert result.error == "too many redirects (more than 5)"


async def test_redirect_without_location_is_an_error(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    async def no_location(request: aiohttp.web.Request) -> aiohttp.web.StreamResponse:
        return aiohttp.web.Response(status=302)

    feed_server.route("/nowhere", no_location)
    result = await fetch(session, feed_server.url("/nowhere"), limits)
    assert result.error == "HTTP 302 redirect without a Location header"


@pytest.mark.parametrize(
    "url", ["ftp://news.example/feed.xml", "file:///etc/passwd", "feed.xml", "javascript:x"]
)
async def test_only_http_and_https_are_fetched(
    session: aiohttp.ClientSession, limits: FetchLimits, url: str
) -> None:
    result = await fetch(session, url, limits)
    assert result.status is FetchStatus.ERROR
    assert result.error is not None and "only http and https" in result.error


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml"])
async def test_redirect_to_another_scheme_is_refused(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits, target: str
) -> None:
    feed_server.redirect("/sneaky", target, status=301)
    result = await fetch(session, feed_server.url("/sneaky"), limits)
    assert result.status is FetchStatus.ERROR and result.permanent_url is None
    assert result.error is not None and "only http and https" in result.error


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error")])
async def test_http_errors_are_values(
    feed_server: FeedServer,
    session: aiohttp.ClientSession,
    limits: FetchLimits,
    status: int,
    reason: str,
) -> None:
    feed_server.static("/e", b"oops", status=status, content_type="text/plain")
    result = await fetch(session, feed_server.url("/e"), limits)
    assert result.status is FetchStatus.ERROR
    assert result.error == f"HTTP {status} {reason}"
    assert result.http_status == status and result.retry_after is None


async def test_429_with_retry_after_seconds(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.static("/busy", b"", status=429, headers={"Retry-After": "120"})
    result = await fetch(session, feed_server.url("/busy"), limits)
    assert result.status is FetchStatus.ERROR
    assert result.retry_after == 120.0
    assert result.error == "HTTP 429 Too Many Requests (retry after 120 s)"


async def test_503_with_retry_after_date(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    feed_server.static("/down", b"", status=503, headers={"Retry-After": when})
    result = await fetch(session, feed_server.url("/down"), limits)
    assert result.retry_after is not None and 7190 <= result.retry_after <= 7200


def test_retry_after_parsing() -> None:
    assert parse_retry_after("0", NOW) == 0.0
    assert parse_retry_after("Sun, 29 Nov 2026 10:00:00 GMT", NOW) == 3600.0
    assert parse_retry_after("Sun, 29 Nov 2026 08:00:00 GMT", NOW) == 0.0  # already past
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_max_age_parsing() -> None:
    assert parse_max_age({"cache-control": "public, max-age=900"}, NOW) == 900.0
    assert parse_max_age({"cache-control": "s-maxage=5, max-age=60"}, NOW) == 60.0
    expires = {"expires": "Sun, 29 Nov 2026 09:30:00 GMT", "date": "Sun, 29 Nov 2026 09:00:00 GMT"}
    assert parse_max_age(expires, NOW) == 1800.0
    assert parse_max_age({"expires": "Sun, 29 Nov 2026 09:10:00 GMT"}, NOW) == 600.0
    assert parse_max_age({"expires": "0"}, NOW) == 0.0
    assert parse_max_age({"cache-control": "no-cache"}, NOW) is None


async def test_max_age_comes_back_with_the_result(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.static("/cached", FEED, headers={"Cache-Control": "max-age=1800"})
    result = await fetch(session, feed_server.url("/cached"), limits)
    assert result.max_age == 1800.0


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_compressed_feeds_are_decompressed(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits, encoding: str
) -> None:
    feed_server.static("/z", FEED, compress=encoding)
    result = await fetch(session, feed_server.url("/z"), limits)
    assert result.status is FetchStatus.OK and result.body == FEED
    assert encoding in feed_server.requests["/z"][0]["Accept-Encoding"]


async def test_windows_1256_feed_end_to_end(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    body = rss(arabic_items(), encoding="windows-1256", declare=False)
    feed_server.static("/cp.xml", body, content_type="text/xml; charset=windows-1256")
    result = await fetch(session, feed_server.url("/cp.xml"), limits)
    parsed = parse_feed(result.body, result.headers, result.url, now=NOW)
    assert parsed.entries[0].title == "وزارة الصحة تعلن افتتاح مستشفى جديد في المدينة"


async def test_connection_refused_is_an_error(
    session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await fetch(session, f"http://127.0.0.1:{port}/feed.xml", limits)
    assert result.status is FetchStatus.ERROR
    assert result.error is not None and result.error.startswith("cannot connect to 127.0.0.1")


async def test_server_answering_after_two_minutes_times_out(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    feed_server.slow("/slow", delay=120.0)
    limits = FetchLimits(total_timeout=0.5)
    result, elapsed = await timed(fetch(session, feed_server.url("/slow"), limits))
    assert result.status is FetchStatus.ERROR
    assert result.error == "timed out after 0.5 s"
    assert elapsed < 60.0  # far from the server's 120 s: the timeout, not the server, ended it


async def test_declared_80_mb_body_is_refused_before_reading(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.big("/huge", 80 * MB, declare_length=True)
    async with peak_rss() as rss_marks:
        result = await fetch(session, feed_server.url("/huge"), limits)
    assert result.status is FetchStatus.ERROR
    assert result.error == f"body too large: Content-Length {80 * MB} exceeds 10 MB"
    assert rss_marks[1] - rss_marks[0] < 40 * MB


@pytest.mark.parametrize("kind", ["chunked-80mb", "endless", "gzip-bomb"])
async def test_oversized_bodies_are_cut_off_while_streaming(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits, kind: str
) -> None:
    if kind == "chunked-80mb":
        feed_server.big("/h", 80 * MB, declare_length=False)
    elif kind == "endless":
        feed_server.endless("/h")
    else:
        feed_server.gzip_bomb("/h", 1024 * MB)
    async with peak_rss() as rss_marks:
        result = await fetch(session, feed_server.url("/h"), limits)
    assert result.status is FetchStatus.ERROR
    assert result.error == "body too large: more than 10 MB, cut off"  # not a timeout
    # The cap is 10 MB; the body buffer plus the final copy stay far below the 80 MB-1 GB sent.
    assert rss_marks[1] - rss_marks[0] < 60 * MB


async def test_broken_gzip_is_an_error(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.static(
        "/bad.gz", b"\x1f\x8b\x08\x00garbage" * 50, headers={"Content-Encoding": "gzip"}
    )
    result = await fetch(session, feed_server.url("/bad.gz"), limits)
    assert result.status is FetchStatus.ERROR
    assert result.error is not None and result.error.startswith("broken response body")


async def test_failures_never_raise_even_when_many_run_together(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    feed_server.static("/ok", FEED)
    feed_server.slow("/slow", delay=120.0)
    feed_server.endless("/endless")
    feed_server.static("/404", b"", status=404)
    limits = FetchLimits(total_timeout=1.0, max_body=1 * MB)
    paths = ["/ok", "/slow", "/endless", "/404", "/ok"] * 4
    results, elapsed = await timed(
        asyncio.gather(*(fetch(session, feed_server.url(p), limits) for p in paths))
    )
    assert [r.status for r in results].count(FetchStatus.OK) == 8
    assert all(r.error for r in results if r.status is FetchStatus.ERROR)
    assert elapsed < 60.0  # the slow server would hold them for 120 s


CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    b"<body><p>Checking your browser before accessing news.example.</p></body></html>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b"<rss><channel><item><title>&c;</title></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (CHALLENGE, "text/html; charset=UTF-8", "an HTML page, not a feed (text/html)"),
        (b"", "application/rss+xml", "empty body"),
        (bytes(range(256)) * 40, "application/octet-stream", "not a feed"),
        (LAUGHS, "application/xml", "refused: the body declares XML entities"),
    ],
)
async def test_hostile_bodies_fetch_fine_and_parse_to_an_error(
    feed_server: FeedServer,
    session: aiohttp.ClientSession,
    limits: FetchLimits,
    body: bytes,
    content_type: str,
    error: str,
) -> None:
    feed_server.static("/hostile", body, content_type=content_type)
    fetched = await fetch(session, feed_server.url("/hostile"), limits)
    assert fetched.status is FetchStatus.OK
    parsed = parse_feed(fetched.body, fetched.headers, fetched.url, now=NOW)
    assert parsed.entries == ()
    assert parsed.error is not None and parsed.error.startswith(error)


async def test_broken_xml_over_http_is_kept_with_a_warning(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.static("/broken", FEED[:-40])
    fetched = await fetch(session, feed_server.url("/broken"), limits)
    parsed = parse_feed(fetched.body, fetched.headers, fetched.url, now=NOW)
    assert parsed.error is None and parsed.warning and len(parsed.entries) == 3


async def test_challenge_served_as_503_is_a_fetch_error(
    feed_server: FeedServer, session: aiohttp.ClientSession, limits: FetchLimits
) -> None:
    feed_server.static("/cf", CHALLENGE, status=503, content_type="text/html")
    result = await fetch(session, feed_server.url("/cf"), limits)
    assert result.error == "HTTP 503 Service Unavailable" and result.retry_after is None
