"""Delivery benchmark: Marsad's send queue against a Bot API server that enforces limits.

    .venv/bin/python bench/bench_delivery.py [--chats 1000] [--alerts 100] [--group-window 6]

Two runs, each against the local Bot API server answering 429 beyond Telegram's limits:
one alert to N private chats (ceiling: 30 messages/s overall), and M alerts to one group
one by one (ceiling: 20 per window; the window is shortened from 60 s to keep the run short,
and Marsad's pacing is scaled with it). Prints messages per second against the ceiling, the
429s provoked, lost and repeated deliveries, and publish-to-delivery latency.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from telegram import Bot

from bot.delivery.send import Pace, SendQueue
from bot.models import Entry, NewArticle, TopicMatch
from bot.storage import Store
from tests.helpers.botapi import BotApiServer, TelegramLimits
from tests.helpers.topics import BUILT_IN

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def article(n: int) -> NewArticle:
    """A terrorism alert with a real-size Arabic summary."""
    title = f"هجوم إرهابي رقم {n} يستهدف نقطة أمنية وتنظيم داعش يتبنى العملية"
    text = ("أعلن تنظيم داعش الإرهابي مسؤوليته عن الهجوم الذي استهدف نقطة أمنية. " * 6).strip()
    entry = Entry(
        f"g{n}",
        f"https://news.example/{n}",
        title,
        text,
        NOW,
        hashlib.sha256(title.encode()).hexdigest(),
        "ar",
    )
    return NewArticle(entry, title, "ar", (TopicMatch("terrorism", 6.0, ("داعش (title)",)),))


async def prepare(store: Store, chats: list[int], alerts: int) -> None:
    """Subscribe the chats and store the alerts (their deliveries become pending)."""
    await store.migrate()
    feed = await store.add_feed("https://news.example/rss", title="مصدر", now=NOW)
    for chat_id in chats:
        await store.upsert_chat(chat_id, kind="private" if chat_id > 0 else "supergroup", now=NOW)
        await store.subscribe(chat_id, ["terrorism"], now=NOW)
    await store.add_articles(feed, [article(n) for n in range(alerts)], now=NOW)


async def run(
    label: str, chats: list[int], alerts: int, limits: TelegramLimits, pace: Pace, ceiling: float
) -> None:
    """Send everything pending and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.from_url(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await prepare(store, chats, alerts)
        async with BotApiServer(enforce_limits=True, limits=limits) as server:
            async with Bot(server.token, base_url=server.base_url) as bot:
                queue = SendQueue(store, bot, clock=lambda: NOW, pace=pace, topics=BUILT_IN)
                started = time.monotonic()
                report = await queue.drain(limit=100_000)
                elapsed = time.monotonic() - started
            stats = await store.stats()
            await store.close()
            sent = Counter((m.chat_id, m.plain_text.split("\n")[1]) for m in server.messages)
            latencies = sorted(m.time - started for m in server.messages)
        expected = len(chats) * alerts
        rate = len(server.messages) / elapsed
        print(
            f"{label}: {len(server.messages)} messages in {elapsed:.1f} s = {rate:.1f}/s, "
            f"{rate / ceiling:.0%} of the {ceiling:.1f}/s ceiling"
        )
        print(
            f"  429 provoked: {server.rate_limited}; retried: {report.retried_429}; "
            f"lost: {expected - stats.alerts_sent}; "
            f"repeated: {sum(count - 1 for count in sent.values())}"
        )
        print(
            f"  publish-to-delivery latency: p50 {statistics.median(latencies):.1f} s, "
            f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} s, max {latencies[-1]:.1f} s"
        )


def main() -> None:
    """Run both scenarios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=100)
    parser.add_argument(
        "--group-window",
        type=float,
        default=6.0,
        help="seconds Telegram's 20-per-minute group window is shortened to",
    )
    args = parser.parse_args()
    no_digest = {"digest_threshold": 1_000_000}
    asyncio.run(
        run(
            f"one alert to {args.chats} private chats",
            list(range(1, args.chats + 1)),
            1,
            TelegramLimits(),
            Pace(**no_digest),
            30.0,
        )
    )
    window = args.group_window
    group_pace = Pace(group_interval=window / 20 * 1.02, **no_digest)
    asyncio.run(
        run(
            f"{args.alerts} alerts to one group (20 per {window:g} s)",
            [-1001],
            args.alerts,
            TelegramLimits(group_window=window),
            group_pace,
            20 / window,
        )
    )


if __name__ == "__main__":
    main()
