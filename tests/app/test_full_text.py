"""Feeds that carry only a lede can have their articles' main text fetched from the page.

Pages are fetched in the background after the cycle, a few at once per host, within a time
budget per feed; articles are stored with their ledes first, so nothing waits on a page.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.app import Marsad, RunOptions
from bot.feeds.article import better_text, extract_main_text
from bot.feeds.fetch import FetchLimits
from bot.models import FeedOptions, NewArticle, TopicMatch
from bot.pipeline import PollPolicy
from bot.storage import Store, schema
from bot.storage.search import SearchQuery
from classifiers import normalise_for_search
from config.settings import Settings
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss
from tests.storage.test_store import NOW, article

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
BODY = "وأوضح المتحدث أن التحقيقات ما زالت جارية لمعرفة ملابسات الحادث. " * 12
PAGE = (
    "<html><head><title>خبر</title></head><body><nav>الرئيسية | رياضة | اقتصاد</nav>"
    f"<article><h1>العنوان</h1><p>{BODY}</p><p>{BODY}</p></article>"
    "<footer>جميع الحقوق محفوظة</footer></body></html>"
).encode()
TERROR_BODY = (
    "أعلن تنظيم داعش الإرهابي مسؤوليته عن الهجوم الذي استهدف نقطة أمنية، فيما أدانت "
    "الحكومة العمل الإرهابي وتعهدت بملاحقة الخلايا الإرهابية. "
) * 8
TERROR_PAGE = f"<html><body><article><p>{TERROR_BODY}</p></article></body></html>".encode()
HTML = "text/html; charset=utf-8"
DEFAULT_POLICY = PollPolicy()
PAGE_LIMITS = FetchLimits(total_timeout=5.0)


def test_extract_main_text_drops_navigation_and_keeps_the_article() -> None:
    text = extract_main_text(PAGE)
    assert text is not None and "ملابسات الحادث" in text
    assert "جميع الحقوق" not in text and "الرئيسية" not in text
    assert extract_main_text(b"<html><body></body></html>") is None


def test_the_longer_text_wins() -> None:
    assert better_text("lede", "the whole article") == "the whole article"
    assert better_text("a long feed text", "short") == "a long feed text"
    assert better_text("lede", None) == "lede"


class HangingPages:
    """Article pages that never answer, counting how many requests are open at once."""

    def __init__(self, server: FeedServer, count: int) -> None:
        self.open = 0
        self.most = 0
        self.two_open = asyncio.Event()
        self.released = asyncio.Event()
        self.urls = [server.url(f"/hang/{n}") for n in range(count)]
        for n in range(count):
            server.route(f"/hang/{n}", self.handler)

    async def handler(self, request: web.Request) -> web.StreamResponse:
        """Hold the request open until released (or until the client hangs up)."""
        self.open += 1
        self.most = max(self.most, self.open)
        if self.open >= 2:
            self.two_open.set()
        try:
            await self.released.wait()
        finally:
            self.open -= 1
        return web.Response(text="too late")


def lede_items(urls: list[str]) -> list[Item]:
    """One short item per page URL, each with its own title."""
    return [
        Item(str(n), f"عنوان الخبر رقم {n} عن التحقيقات في الحادث", f"مقدمة {n}.", url, START)
        for n, url in enumerate(urls)
    ]


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def full_text_marsad(
    tmp_path: Path,
    feed_url: str,
    *,
    policy: PollPolicy = DEFAULT_POLICY,
    limits: FetchLimits = PAGE_LIMITS,
    clock: Clock | None = None,
    stream: io.StringIO | None = None,
) -> AsyncIterator[Marsad]:
    """A started console Marsad watching one full-text feed; closed on exit."""
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nurl = "{feed_url}"\nfull_text = true\n', encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", feeds_file=feeds, poll_interval=60
    )
    options = RunOptions(console="jsonl", parser_workers=1, limits=limits, policy=policy)
    marsad = Marsad(
        settings, options=options, clock=clock or Clock(), stream=stream or io.StringIO()
    )
    try:
        await marsad.start()
        yield marsad
    finally:
        await marsad.close()


async def stored_texts(store: Store) -> dict[str, str]:
    """Every stored article's text by URL."""
    async with store.engine.connect() as conn:
        a = schema.articles.c
        return {url: text for url, text in await conn.execute(select(a.url, a.text))}


async def test_lede_only_items_are_completed_from_their_pages(tmp_path: Path) -> None:
    async with FeedServer() as server:
        items = [
            Item(
                "1",
                "عنوان خبر عن التحقيقات في الحادث الأخير",
                "مقدمة قصيرة.",
                server.url("/news/1"),
                START,
            )
        ]
        server.static("/full.xml", rss(items))
        server.static("/news/1", PAGE, content_type="text/html; charset=utf-8")
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            f'[[feed]]\nurl = "{server.url("/full.xml")}"\nfull_text = true\n', encoding="utf-8"
        )
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
            feeds_file=feeds,
            poll_interval=60,
        )
        clock = [START]
        marsad = Marsad(
            settings,
            options=RunOptions(
                console="jsonl", parser_workers=1, limits=FetchLimits(total_timeout=5.0)
            ),
            clock=lambda: clock[0],
            stream=io.StringIO(),
        )
        try:
            await marsad.start()
            await marsad.cycle()
            await marsad.poller.pages.join()  # the pages are fetched after the cycle
            async with marsad.store.engine.connect() as conn:
                a = schema.articles.c
                text, norm_text = (await conn.execute(select(a.text, a.norm_text))).one()
            assert "ملابسات الحادث" in text and len(text) > 500
            # Classified and indexed again from the page's text, not the lede's.
            assert normalise_for_search("ملابسات", "ar") in norm_text.split()
            assert server.hits["/news/1"] == 1
            # A feed without the option never fetches pages.
            await marsad.store.set_feed_options(1, FeedOptions(full_text=False))
            server.static(
                "/full.xml",
                rss(
                    [
                        *items,
                        Item(
                            "2",
                            "خبر ثان عن التحقيقات الجارية في الحادث",
                            "مقدمة.",
                            server.url("/news/2"),
                            START,
                        ),
                    ]
                ),
            )
            server.static("/news/2", PAGE, content_type="text/html; charset=utf-8")
            clock[0] += timedelta(minutes=5)
            report = await marsad.cycle()
            await marsad.poller.pages.join()
            assert (report.new_articles, report.pages) == (1, 0)
            assert server.hits["/news/2"] == 0
        finally:
            await marsad.close()


async def test_the_cycle_stores_ledes_without_waiting_for_pages_that_never_answer(
    tmp_path: Path,
) -> None:
    async with FeedServer() as server:
        pages = HangingPages(server, 30)
        server.static("/full.xml", rss(lede_items(pages.urls)))
        try:
            async with full_text_marsad(
                tmp_path, server.url("/full.xml"), limits=FetchLimits(total_timeout=3.0)
            ) as marsad:
                report = await marsad.cycle()
                assert (report.new_articles, report.pages) == (30, 30)
                texts = await stored_texts(marsad.store)
                assert texts == {url: f"مقدمة {n}." for n, url in enumerate(pages.urls)}
                # The pages are fetched after the cycle, two at a time: the others wait.
                await pages.two_open.wait()
                assert pages.most == 2
                assert sum(server.hits[f"/hang/{n}"] for n in range(30)) == 2
                assert marsad.poller.pages.pending == 30
            # close() cancelled the pages in progress: their articles keep their ledes.
            assert marsad.poller.pages.pending == 0
            store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
            try:
                assert await stored_texts(store) == texts
            finally:
                await store.close()
        finally:
            pages.released.set()


async def test_a_feeds_pages_stop_at_its_time_budget_and_keep_their_ledes(
    tmp_path: Path,
) -> None:
    async with FeedServer() as server:
        pages = HangingPages(server, 6)
        server.static("/full.xml", rss(lede_items(pages.urls)))
        try:
            async with full_text_marsad(
                tmp_path,
                server.url("/full.xml"),
                policy=PollPolicy(page_budget=0.2),
                limits=FetchLimits(total_timeout=120.0),  # far longer than the budget
            ) as marsad:
                await marsad.cycle()
                await marsad.poller.pages.join()  # ends with the budget, not with the fetches
                assert pages.most <= 2
                texts = await stored_texts(marsad.store)
                assert texts == {url: f"مقدمة {n}." for n, url in enumerate(pages.urls)}
        finally:
            pages.released.set()


async def test_pending_pages_are_capped_by_dropping_the_oldest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FeedServer() as server:
        pages = HangingPages(server, 30)
        server.static("/full.xml", rss(lede_items(pages.urls)))
        try:
            async with full_text_marsad(
                tmp_path, server.url("/full.xml"), policy=PollPolicy(max_pending_pages=5)
            ) as marsad:
                with caplog.at_level(logging.WARNING, logger="bot.pipeline"):
                    report = await marsad.cycle()
                assert (report.new_articles, report.pages) == (30, 30)
                assert marsad.poller.pages.pending == 5
                dropped = [r for r in caplog.records if "dropped the oldest" in r.getMessage()]
                assert len(dropped) == 25
                assert len(await stored_texts(marsad.store)) == 30
        finally:
            pages.released.set()


async def test_topics_found_in_a_page_alert_their_subscribers(tmp_path: Path) -> None:
    async with FeedServer() as server:
        quiet = Item(
            "0", "افتتاح معرض الكتاب الدولي بمشاركة واسعة", "افتتح.", server.url("/0"), START
        )
        server.static("/full.xml", rss([quiet]))
        server.static("/0", b"<html><body></body></html>", content_type=HTML)
        out, clock = io.StringIO(), Clock()
        async with full_text_marsad(
            tmp_path, server.url("/full.xml"), clock=clock, stream=out
        ) as marsad:
            await marsad.cycle()  # the first poll stores quietly
            late = Item(
                "1", "بيان حول ما جرى صباح اليوم في المدينة", "بيان.", server.url("/1"), START
            )
            server.static("/full.xml", rss([late, quiet]))
            cycle_over = asyncio.Event()

            async def page_after_the_cycle(request: web.Request) -> web.Response:
                await cycle_over.wait()  # the page comes once the cycle has delivered
                return web.Response(body=TERROR_PAGE, headers={"Content-Type": HTML})

            server.route("/1", page_after_the_cycle)
            clock.now += timedelta(minutes=5)
            report = await marsad.cycle()
            assert (report.new_articles, report.deliveries) == (1, 0)  # the lede has no topic
            assert out.getvalue() == ""
            cycle_over.set()
            await marsad.poller.pages.join()
            assert await marsad.deliver() == 1
            [alert] = [json.loads(line) for line in out.getvalue().splitlines()]
            assert alert["topics"] == ["terrorism"] and alert["url"] == server.url("/1")


async def test_a_completed_article_is_found_by_its_pages_words_and_alerts_new_topics(
    store: Store,
) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    await store.upsert_chat(7101, kind="private", now=NOW)
    await store.subscribe(7101, ["terrorism", "cybersecurity"], now=NOW)
    lede = article(1, topics=("terrorism",))
    [article_id] = (await store.add_articles(feed, [lede], now=NOW)).article_ids
    await store.thread_stories(now=NOW)  # its story alerted the chat
    page = replace(lede.entry, text="النص الكامل من الصفحة zqpage")
    full = NewArticle(page, "النص الكامل zqpage", "ar", (TopicMatch("cybersecurity", 3.0, ()),))
    assert (await store.search(SearchQuery("zqpage"), now=NOW)).hits == ()

    assert await store.complete_article(article_id, full, now=NOW, alert=True) == 0
    [hit] = (await store.search(SearchQuery("zqpage"), now=NOW)).hits
    assert hit.article_id == article_id
    stored = await store.article_by_url(lede.entry.url)
    assert stored is not None and stored.text == page.text
    assert [m.topic for m in stored.topics] == ["cybersecurity"]
    # The chat had the article already (for terrorism): the new topic adds no second alert.
    assert len(await store.pending_alerts()) == 1
    assert await store.complete_article(10_000, full, now=NOW, alert=True) == 0
