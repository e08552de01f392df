"""Parsing benchmark: feedparser alone (the floor) against Marsad's parse path and ParserPool.

    .venv/bin/python -m bench parse [--feeds 1000] [--workers 2]

Generates N RSS feeds x 20 Arabic items of about 1,200 characters each, then times, over the
same bytes: feedparser with its defaults in one process (the floor every Python poller pays),
feedparser with sanitising and URI resolution off, Marsad's full parse_feed inline through
feedparser and through the ElementTree fast path, and ParserPool with N workers. Prints wall
time, items/s and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, not installed

import feedparser

from bench import rerun_as_module
from bot.feeds.parse import ParserPool, parse_feed

ITEMS_PER_FEED = 20
HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
NEWS_TEXT = (  # written for this benchmark: plausible Arabic news vocabulary
    "الحكومة أعلنت اليوم عن خطة جديدة لتطوير البنية التحتية في المدن الكبرى وقال الوزير إن "
    "المشروع سيوفر آلاف فرص العمل للشباب خلال السنوات المقبلة وأضاف أن التمويل سيأتي من "
    "الميزانية العامة ومن شراكات مع القطاع الخاص وأكد مسؤولون أن الأسعار ارتفعت بشكل ملحوظ "
    "في الأسواق المحلية بسبب الظروف الاقتصادية العالمية بينما دعا خبراء إلى إصلاحات عاجلة "
    "في قطاع الطاقة والمياه والتعليم والصحة وشهدت العاصمة مظاهرات سلمية طالبت بتحسين "
    "الخدمات العامة ومكافحة الفساد وعقد البرلمان جلسة طارئة لمناقشة مشروع القانون الجديد"
)
WORDS = NEWS_TEXT.split()


def sentence(rng: random.Random, words: int) -> str:
    """A pseudo-Arabic sentence of `words` words."""
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def item_xml(rng: random.Random, feed: int, index: int, published: datetime) -> str:
    """One RSS item with about 1,200 characters of HTML description."""
    paragraphs = []
    length = 0
    while length < 1200:
        paragraph = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(3))
        paragraphs.append(f"<p>{paragraph}</p>")
        length += len(paragraph)
    link = f"https://news.example/{feed}/{index}?utm_source=rss&amp;utm_medium=feed"
    return (
        f"<item><title>{escape(sentence(rng, rng.randint(6, 12)))}</title>"
        f"<link>{link}</link>"
        f"<description>{escape(''.join(paragraphs))}</description>"
        f'<guid isPermaLink="false">marsad-{feed}-{index}</guid>'
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate></item>"
    )


def make_feeds(count: int, seed: int = 7) -> list[bytes]:
    """`count` RSS 2.0 feeds of 20 Arabic items each, UTF-8."""
    rng = random.Random(seed)
    feeds = []
    for feed in range(count):
        items = "".join(
            item_xml(rng, feed, i, NOW - timedelta(minutes=17 * i)) for i in range(ITEMS_PER_FEED)
        )
        feeds.append(
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>مصدر {feed}</title><link>https://news.example/{feed}</link>"
                f"<language>ar</language><ttl>15</ttl>{items}</channel></rss>"
            ).encode()
        )
    return feeds


def timed(label: str, run: Callable[[], int], floor: float | None) -> float:
    """Run once, print wall time, items/s and ratio to the floor; return the wall time."""
    start = time.perf_counter()
    items = run()
    wall = time.perf_counter() - start
    ratio = f"{wall / floor:5.2f}x floor" if floor else "  1.00x floor"
    print(f"{label:<44} {wall:7.2f} s  {items / wall:9,.0f} items/s  {ratio}")
    return wall


def feedparser_alone(feeds: list[bytes], **options: bool) -> int:
    """feedparser.parse over every feed; returns the number of entries."""
    headers = {k.lower(): v for k, v in HEADERS.items()}
    return sum(
        len(feedparser.parse(io.BytesIO(body), response_headers=headers, **options).entries)
        for body in feeds
    )


def marsad_inline(feeds: list[bytes], *, fast: bool = True) -> int:
    """parse_feed over every feed in this process."""
    url = "https://news.example/rss"
    return sum(len(parse_feed(body, HEADERS, url, now=NOW, fast=fast).entries) for body in feeds)


async def marsad_pool(pool: ParserPool, feeds: list[bytes], in_flight: int) -> int:
    """parse_feed over every feed in worker processes, `in_flight` at a time; prints loop lag."""
    gate = asyncio.Semaphore(in_flight)
    url = "https://news.example/rss"
    lag = 0.0

    async def one(body: bytes) -> int:
        async with gate:
            return len((await pool.parse(body, HEADERS, url, now=NOW)).entries)

    async def ticker() -> None:
        nonlocal lag
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            lag = max(lag, time.perf_counter() - start - 0.001)

    watch = asyncio.create_task(ticker())
    try:
        return sum(await asyncio.gather(*(one(body) for body in feeds)))
    finally:
        watch.cancel()
        LAG.append(lag)


LAG: list[float] = []  # worst event-loop lag of each marsad_pool run, seconds


def main() -> None:
    """Generate the feeds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    feeds = make_feeds(args.feeds)
    size = sum(map(len, feeds))
    print(
        f"{args.feeds} feeds x {ITEMS_PER_FEED} items, {size / 1e6:.1f} MB of RSS, "
        f"{size / (args.feeds * ITEMS_PER_FEED):,.0f} bytes per item"
    )
    floor = timed("feedparser alone, defaults (floor)", lambda: feedparser_alone(feeds), None)
    timed(
        "feedparser alone, sanitize/resolve off",
        lambda: feedparser_alone(feeds, sanitize_html=False, resolve_relative_uris=False),
        floor,
    )
    timed(
        "marsad parse_feed, feedparser path, inline",
        lambda: marsad_inline(feeds, fast=False),
        floor,
    )
    timed("marsad parse_feed, fast path, inline", lambda: marsad_inline(feeds), floor)
    pool = ParserPool(args.workers)
    try:
        in_flight = args.workers * 4  # keeps workers busy without queueing every body at once
        asyncio.run(marsad_pool(pool, feeds[: args.workers * 2], in_flight))  # start the workers
        timed(
            f"marsad ParserPool, {args.workers} workers",
            lambda: asyncio.run(marsad_pool(pool, feeds, in_flight)),
            floor,
        )
        print(f"{'':<44} worst event-loop lag during the pool run: {LAG[-1] * 1000:.1f} ms")
    finally:
        pool.close()


if __name__ == "__main__":
    rerun_as_module("parse")
