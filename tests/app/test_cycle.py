"""The whole pipeline in one process: local feed server -> store -> console alerts."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Marsad, RunOptions
from bot.feeds.fetch import FetchLimits
from config.settings import Settings
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
LIMITS = FetchLimits(connect_timeout=2.0, total_timeout=5.0)

TERROR = Item(
    "t1",
    "هجوم إرهابي يتبناه تنظيم داعش في شمال البلاد",
    "أعلن تنظيم داعش الإرهابي مسؤوليته عن الهجوم الذي استهدف نقطة أمنية، "
    "فيما أدانت الحكومة العمل الإرهابي وتعهدت بملاحقة الخلايا الإرهابية.",
    "https://news.example/terror-1",
    START - timedelta(hours=1),
)
NEUTRAL = Item(
    "n1",
    "افتتاح معرض الكتاب الدولي بمشاركة واسعة",
    "افتتح معرض الكتاب الدولي أبوابه للزوار بمشاركة مئات دور النشر من العالم العربي.",
    "https://news.example/books-1",
    START - timedelta(hours=2),
)
CYBER = Item(
    "c1",
    "هجوم سيبراني ببرنامج فدية يشل أنظمة مستشفى",
    "تعرضت أنظمة المستشفى لهجوم سيبراني ببرنامج فدية شفّر البيانات، وطالب القراصنة "
    "بفدية مالية، فيما يحقق خبراء الأمن السيبراني في الاختراق.",
    "https://news.example/cyber-1?utm_source=rss",
    START + timedelta(minutes=1),
)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


def settings_for(tmp_path: Path, feed_url: str) -> Settings:
    """Settings on a temporary SQLite file with one feed listed."""
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nurl = "{feed_url}"\nname = "Local news"\n', encoding="utf-8")
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}",
        feeds_file=feeds,
        poll_interval=60,
        telegram_bot_token=None,
    )


async def test_first_poll_is_quiet_then_new_items_alert_once(
    tmp_path: Path, server: FeedServer
) -> None:
    server.static("/ar.xml", rss([TERROR, NEUTRAL]), etag='"v1"')
    clock, out = Clock(), io.StringIO()
    marsad = Marsad(
        settings_for(tmp_path, server.url("/ar.xml")),
        options=RunOptions(console="jsonl", parser_workers=1, limits=LIMITS),
        clock=clock,
        stream=out,
    )
    try:
        await marsad.start()
        first = await marsad.cycle()
        assert (first.feeds, first.new_articles, first.deliveries) == (1, 2, 0)
        assert out.getvalue() == ""

        server.static("/ar.xml", rss([CYBER, TERROR, NEUTRAL]), etag='"v2"')
        clock.now += timedelta(minutes=2)
        second = await marsad.cycle()
        assert (second.new_articles, second.duplicates, second.deliveries) == (1, 2, 1)
        [line] = out.getvalue().splitlines()
        alert = json.loads(line)
        assert alert["url"] == "https://news.example/cyber-1"  # tracking parameter dropped
        assert alert["topics"] == ["cybersecurity"]
        assert alert["feed"] == "Local news"
        assert alert["title"] == CYBER.title and alert["summary"]

        clock.now += timedelta(minutes=2)
        third = await marsad.cycle()
        assert (third.not_modified, third.new_articles) == (1, 0)
        assert len(out.getvalue().splitlines()) == 1
        stats = await marsad.store.stats()
        assert (stats.articles, stats.alerts_sent, stats.alerts_pending) == (3, 1, 0)
    finally:
        await marsad.close()


async def test_feed_not_due_is_not_fetched(tmp_path: Path, server: FeedServer) -> None:
    server.static("/ar.xml", rss([NEUTRAL]))
    clock = Clock()
    marsad = Marsad(
        settings_for(tmp_path, server.url("/ar.xml")),
        options=RunOptions(console="jsonl", parser_workers=1, limits=LIMITS),
        clock=clock,
        stream=io.StringIO(),
    )
    try:
        await marsad.start()
        assert (await marsad.cycle()).feeds == 1
        clock.now += timedelta(seconds=30)  # POLL_INTERVAL is 60 s
        assert (await marsad.cycle()).feeds == 0
        clock.now += timedelta(seconds=60)
        assert (await marsad.cycle()).feeds == 1
        assert server.hits["/ar.xml"] == 2
    finally:
        await marsad.close()


async def test_failing_feed_does_not_stop_the_others(tmp_path: Path, server: FeedServer) -> None:
    server.static("/good.xml", rss([NEUTRAL]))
    server.static("/bad.xml", b"oops", status=500)
    clock = Clock()
    marsad = Marsad(
        settings_for(tmp_path, server.url("/good.xml")),
        options=RunOptions(console="jsonl", parser_workers=1, limits=LIMITS),
        clock=clock,
        stream=io.StringIO(),
    )
    try:
        await marsad.start()
        await marsad.store.add_feed(server.url("/bad.xml"), now=clock.now)
        report = await marsad.cycle()
        assert (report.feeds, report.failed, report.new_articles) == (2, 1, 1)
        assert "500" in report.errors[server.url("/bad.xml")]
        [bad] = [f for f in await marsad.store.list_feeds() if f.url.endswith("/bad.xml")]
        assert bad.error_streak == 1 and bad.next_check_at is not None
        assert bad.next_check_at >= clock.now + timedelta(seconds=2 * 60 * 0.9)  # backoff
    finally:
        await marsad.close()


async def test_items_without_links_do_not_collide(tmp_path: Path, server: FeedServer) -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        '<item><guid isPermaLink="false">a</guid><title>خبر أول بلا رابط عن المعرض</title>'
        "<description>نص.</description></item>"
        '<item><guid isPermaLink="false">b</guid><title>خبر ثان بلا رابط عن الدوري</title>'
        "<description>نص.</description></item></channel></rss>"
    ).encode()
    server.static("/nolinks.xml", body)
    marsad = Marsad(
        settings_for(tmp_path, server.url("/nolinks.xml")),
        options=RunOptions(console="jsonl", parser_workers=1, limits=LIMITS),
        clock=Clock(),
        stream=io.StringIO(),
    )
    try:
        await marsad.start()
        report = await marsad.cycle()
        assert (report.new_articles, report.duplicates) == (2, 0)
    finally:
        await marsad.close()


async def test_jobs_never_overlap_and_never_skip_silently(tmp_path: Path) -> None:
    marsad = Marsad(
        settings_for(tmp_path, "http://127.0.0.1:9/feed.xml"),
        options=RunOptions(console="jsonl", parser_workers=1),
        stream=io.StringIO(),
    )
    try:
        scheduler = marsad._schedule()
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert {"poll", "deliver"} <= set(jobs)
        for job in jobs.values():
            assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, None)
        assert jobs["poll"].next_run_time is not None  # the first cycle runs at start
        assert jobs["poll"].trigger.interval.total_seconds() == 30  # POLL_INTERVAL 60, tick 30
    finally:
        await marsad.close()


async def test_a_cycle_of_hostile_feeds_still_processes_the_good_ones(
    tmp_path: Path, server: FeedServer
) -> None:
    server.static("/good.xml", rss([TERROR, NEUTRAL]))
    server.static("/broken.xml", b"<rss><channel><item><title>unclosed")
    server.static(
        "/entities.xml",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
        b"<rss><channel><title>&a;</title></channel></rss>",
    )
    server.static(
        "/html.xml", b"<html><body>Checking your browser</body></html>", content_type="text/html"
    )
    server.static("/empty.xml", b"")
    server.static("/binary.xml", bytes(range(256)) * 64, content_type="application/octet-stream")
    server.static("/gone.xml", b"", status=404)
    server.static("/busy.xml", b"", status=429, headers={"Retry-After": "7200"})
    server.endless("/endless.xml")
    server.gzip_bomb("/bomb.xml")
    server.slow("/slow.xml", delay=120.0)
    server.redirect("/loop-a.xml", "/loop-b.xml")
    server.redirect("/loop-b.xml", "/loop-a.xml")
    clock = Clock()
    marsad = Marsad(
        settings_for(tmp_path, server.url("/good.xml")),
        options=RunOptions(
            console="jsonl",
            parser_workers=1,
            limits=FetchLimits(connect_timeout=2.0, total_timeout=3.0),
        ),
        clock=clock,
        stream=io.StringIO(),
    )
    hostile = [
        "/broken.xml",
        "/entities.xml",
        "/html.xml",
        "/empty.xml",
        "/binary.xml",
        "/gone.xml",
        "/busy.xml",
        "/endless.xml",
        "/bomb.xml",
        "/slow.xml",
        "/loop-a.xml",
    ]
    try:
        await marsad.start()
        for path in hostile:
            await marsad.store.add_feed(server.url(path), now=clock.now)
        report = await marsad.cycle()
        assert report.feeds == 1 + len(hostile)
        assert report.new_articles >= 2  # the good feed, and the broken one if it kept items
        assert set(report.errors) >= {server.url(p) for p in hostile if p != "/broken.xml"}
        [busy] = [f for f in await marsad.store.list_feeds() if f.url.endswith("/busy.xml")]
        assert busy.next_check_at is not None
        assert busy.next_check_at >= clock.now + timedelta(hours=2)  # Retry-After honoured
    finally:
        await marsad.close()
