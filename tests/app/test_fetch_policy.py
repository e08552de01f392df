"""The address policy in the whole bot: feeds, redirects and article pages; masked passwords.

127.0.0.2 stands for an internal host: these tests allow 127.0.0.1/32 only (Linux answers on
all of 127/8), or nothing at all, as a default deployment does.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Marsad, RunOptions
from bot.feeds.fetch import FetchLimits
from bot.storage.search import SearchQuery
from config.settings import Settings
from tests.app.marsad_process import clean_environment, run_marsad
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
LIMITS = FetchLimits(connect_timeout=2.0, total_timeout=5.0)
HTML = "text/html; charset=utf-8"
TERROR_BODY = (
    "أعلن تنظيم داعش الإرهابي مسؤوليته عن الهجوم الذي استهدف نقطة أمنية، فيما أدانت "
    "الحكومة العمل الإرهابي وتعهدت بملاحقة الخلايا الإرهابية. "
) * 8
# What an internal host would give away: a page whose words must never be stored.
INTERNAL_PAGE = f"<html><body><article><p>{TERROR_BODY} zqinternal</p></article></body></html>"
QUIET = Item("0", "افتتاح معرض الكتاب الدولي بمشاركة واسعة", "افتتح.", "https://a.example/0", START)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def marsad_for(
    tmp_path: Path, feed_url: str, *, allow: str, full_text: bool = False
) -> AsyncIterator[tuple[Marsad, Clock, io.StringIO]]:
    """A started console Marsad watching one feed, with its own FETCH_ALLOW_NETWORKS."""
    feeds = tmp_path / "feeds.toml"
    option = "full_text = true\n" if full_text else ""
    feeds.write_text(f'[[feed]]\nurl = "{feed_url}"\n{option}', encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        feeds_file=feeds,
        poll_interval=60,
        telegram_bot_token=None,
        fetch_allow_networks=allow,
    )
    clock, out = Clock(), io.StringIO()
    options = RunOptions(console="jsonl", parser_workers=1, limits=LIMITS)
    marsad = Marsad(settings, options=options, clock=clock, stream=out)
    try:
        await marsad.start()
        yield marsad, clock, out
    finally:
        await marsad.close()


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


@pytest.fixture
async def internal() -> AsyncIterator[FeedServer]:
    """A server on 127.0.0.2, outside every allowed network of these tests."""
    async with FeedServer(host="127.0.0.2") as running:
        running.static("/feed.xml", rss([QUIET]))
        running.static("/secret", INTERNAL_PAGE.encode(), content_type=HTML)
        yield running


async def test_a_loopback_feed_fails_with_the_refusal_line_by_default(
    tmp_path: Path, server: FeedServer
) -> None:
    server.static("/feed.xml", rss([QUIET]))
    async with marsad_for(tmp_path, server.url("/feed.xml"), allow="") as (marsad, _, _):
        report = await marsad.cycle()
        [feed] = await marsad.store.list_feeds()
    assert (report.failed, report.new_articles) == (1, 0)
    assert feed.last_error == "refused: 127.0.0.1 is a loopback address"
    assert server.hits["/feed.xml"] == 0


@pytest.mark.parametrize("status", [301, 302, 308])
async def test_a_redirect_to_an_internal_host_fails_and_is_never_the_feeds_address(
    tmp_path: Path, server: FeedServer, internal: FeedServer, status: int
) -> None:
    server.redirect("/feed.xml", internal.url("/feed.xml"), status=status)
    url = server.url("/feed.xml")
    async with marsad_for(tmp_path, url, allow="127.0.0.1/32") as (marsad, _, _):
        report = await marsad.cycle()
        [feed] = await marsad.store.list_feeds()
    assert (report.failed, report.new_articles) == (1, 0)
    assert feed.url == url  # a 301/308 to a refused address is not stored as the new address
    assert feed.last_error == "refused: 127.0.0.2 is a loopback address"
    assert internal.hits["/feed.xml"] == 0


async def test_a_permanent_redirect_to_an_allowed_address_still_moves_the_feed(
    tmp_path: Path, server: FeedServer
) -> None:
    server.static("/new.xml", rss([QUIET]))
    server.redirect("/old.xml", server.url("/new.xml").replace("127.0.0.1", "localhost"))
    async with marsad_for(tmp_path, server.url("/old.xml"), allow="127.0.0.1/32") as (m, _, _):
        report = await m.cycle()
        [feed] = await m.store.list_feeds()
    assert (report.failed, report.new_articles) == (0, 1)
    assert feed.url == f"http://localhost:{server.port}/new.xml"


async def test_article_pages_on_internal_or_metadata_addresses_are_never_fetched(
    tmp_path: Path, server: FeedServer, internal: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    quiet = Item("0", QUIET.title, QUIET.text, server.url("/0"), START)
    server.static("/full.xml", rss([quiet]))
    server.static("/0", b"<html><body></body></html>", content_type=HTML)
    server.static("/page", INTERNAL_PAGE.encode(), content_type=HTML)
    links = {
        "metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "internal": internal.url("/secret"),
        "mapped": f"http://[::ffff:127.0.0.2]:{internal.port}/secret",
        "with password": server.url("/page").replace("http://", "http://desk:s3cret@"),
    }
    ledes = [
        Item(str(n), f"بيان رقم {n} حول ما جرى صباح اليوم في المدينة", "بيان.", url, START)
        for n, url in enumerate(links.values(), start=1)
    ]
    allow = "127.0.0.1/32"
    async with marsad_for(tmp_path, server.url("/full.xml"), allow=allow, full_text=True) as (
        marsad,
        clock,
        out,
    ):
        await marsad.cycle()  # the first poll stores quietly
        server.static("/full.xml", rss([*ledes, quiet]))
        clock.now += timedelta(minutes=5)
        with caplog.at_level(logging.INFO, logger="bot.pipeline"):
            report = await marsad.cycle()
            await marsad.poller.pages.join()
        # The link with a password is no link at all: never offered, never fetched.
        assert (report.new_articles, report.pages) == (4, 3)
        since = START - timedelta(days=1)
        texts = {a.title: a.text for a in await marsad.store.articles_fetched_since(since)}
        assert [texts[item.title] for item in ledes] == ["بيان."] * 4  # the ledes stay
        found = await marsad.store.search(SearchQuery("zqinternal"), now=clock.now)
        assert found.hits == ()
        assert await marsad.deliver() == 0 and out.getvalue() == ""
    assert internal.hits["/secret"] == 0 and server.hits["/page"] == 0
    assert "refused: 169.254.169.254 is a link-local address" in caplog.text
    assert "refused: 127.0.0.2 is a loopback address" in caplog.text
    assert "s3cret" not in caplog.text


async def test_a_feed_password_is_used_but_never_logged(
    tmp_path: Path, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.url("/missing.xml").replace("http://", "http://desk:s3cret@")
    async with marsad_for(tmp_path, url, allow="127.0.0.1/32") as (marsad, _, _):
        with caplog.at_level(logging.DEBUG):
            report = await marsad.cycle()
    assert report.failed == 1
    assert server.requests["/missing.xml"][0]["Authorization"].startswith("Basic ")
    masked = url.replace("s3cret", "***")
    assert f"feed 1 failed: {masked}: HTTP 404 Not Found" in caplog.text
    assert "s3cret" not in caplog.text


@pytest.mark.slow
async def test_feeds_list_masks_passwords_and_refused_feeds_say_why(
    tmp_path: Path, server: FeedServer
) -> None:
    server.static("/feed.xml", rss([QUIET]))
    url = server.url("/feed.xml").replace("http://", "http://desk:s3cret@")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nurl = "{url}"\n', encoding="utf-8")
    env = clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        FEEDS_FILE=str(feeds),
        FETCH_ALLOW_NETWORKS="",  # the default: the loopback server is refused
    )
    code, _, err = await run_marsad(env, "run", "--once", "--console", "jsonl")
    assert code == 0, err
    assert "s3cret" not in err
    assert f"{url.replace('s3cret', '***')}: refused: 127.0.0.1 is a loopback address" in err
    code, out, err = await run_marsad(env, "feeds", "list")
    assert code == 0, err
    assert url.replace("s3cret", "***") in out and "s3cret" not in out
    assert "refused: 127.0.0.1 is a loopback address" in out
    code, out, _ = await run_marsad(env, "feeds", "export")  # the operator's own backup
    assert url in out


async def test_an_untitled_feeds_alerts_name_it_without_its_password(
    tmp_path: Path, server: FeedServer
) -> None:
    terror = Item("t", "هجوم إرهابي يتبناه تنظيم داعش", TERROR_BODY, "https://a.example/t", START)
    server.static("/feed.xml", rss([QUIET], title=""))
    url = server.url("/feed.xml").replace("http://", "http://desk:s3cret@")
    async with marsad_for(tmp_path, url, allow="127.0.0.1/32") as (marsad, clock, out):
        await marsad.cycle()  # the first poll stores quietly
        server.static("/feed.xml", rss([terror, QUIET], title=""))
        clock.now += timedelta(minutes=5)
        await marsad.cycle()  # and delivers to the console
    [alert] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert alert["feed"] == url.replace("s3cret", "***")
