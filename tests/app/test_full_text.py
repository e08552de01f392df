"""Feeds that carry only a lede can have their articles' main text fetched from the page."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import Marsad, RunOptions
from bot.feeds.article import better_text, extract_main_text
from bot.feeds.fetch import FetchLimits
from bot.storage import schema
from bot.storage.store import FeedOptions
from classifiers import normalise_for_search
from config.settings import Settings
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
BODY = "وأوضح المتحدث أن التحقيقات ما زالت جارية لمعرفة ملابسات الحادث. " * 12
PAGE = (
    "<html><head><title>خبر</title></head><body><nav>الرئيسية | رياضة | اقتصاد</nav>"
    f"<article><h1>العنوان</h1><p>{BODY}</p><p>{BODY}</p></article>"
    "<footer>جميع الحقوق محفوظة</footer></body></html>"
).encode()


def test_extract_main_text_drops_navigation_and_keeps_the_article() -> None:
    text = extract_main_text(PAGE)
    assert text is not None and "ملابسات الحادث" in text
    assert "جميع الحقوق" not in text and "الرئيسية" not in text
    assert extract_main_text(b"<html><body></body></html>") is None


def test_the_longer_text_wins() -> None:
    assert better_text("lede", "the whole article") == "the whole article"
    assert better_text("a long feed text", "short") == "a long feed text"
    assert better_text("lede", None) == "lede"


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
            assert report.new_articles == 1
            assert server.hits["/news/2"] == 0
        finally:
            await marsad.close()
