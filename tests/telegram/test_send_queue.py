"""The send queue on its own: pacing, digests, outages and restarts (clock and sleep injected)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from telegram import Bot
from telegram.ext import ExtBot

from bot.delivery.limiter import ReplyLimiter, ReplyPace
from bot.delivery.send import Pace, SendQueue
from bot.models import Entry, NewArticle, TopicMatch
from bot.storage import Store
from tests.helpers.botapi import BotApiServer, Failure
from tests.helpers.headlines import distinct_title

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


class FakeTime:
    """monotonic() and sleep() for the queue: sleeping moves the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def article(n: int, topic: str = "terrorism") -> NewArticle:
    """A stored-to-be article with one topic."""
    title = distinct_title(n)  # each its own story
    entry = Entry(
        f"g{n}",
        f"https://news.example/{n}",
        title,
        f"نص الخبر {n}.",
        NOW - timedelta(minutes=n),
        hashlib.sha1(title.encode()).hexdigest(),
        "ar",
    )
    return NewArticle(entry, title, "ar", (TopicMatch(topic, 5.0, ("إرهابي (title)",)),))


async def setup(store: Store, chats: dict[int, int], *, topic: str = "terrorism") -> None:
    """Subscribe chats and store `count` new articles for each chat's topic."""
    feed = await store.add_feed("https://news.example/rss", title="Local", now=NOW)
    for chat_id in chats:
        await store.upsert_chat(chat_id, kind="private" if chat_id > 0 else "supergroup", now=NOW)
        await store.subscribe(chat_id, [topic], now=NOW)
    count = max(chats.values())
    await store.add_articles(feed, [article(n, topic) for n in range(count)], now=NOW)
    await store.thread_stories(now=NOW)  # alerts follow the story decision


def queue(store: Store, bot: Bot, clock: FakeTime, **pace: float) -> SendQueue:
    """A queue with fake time."""
    return SendQueue(
        store,
        bot,
        clock=lambda: NOW,
        pace=Pace(**pace),  # type: ignore[arg-type]
        sleep=clock.sleep,
        monotonic=clock.monotonic,
    )


async def test_private_chats_are_paced_and_interleaved(
    sqlite_store: Store, botapi: BotApiServer, tg_bot: Bot
) -> None:
    await setup(sqlite_store, {1: 3, 2: 3})
    clock = FakeTime()
    report = await queue(sqlite_store, tg_bot, clock).drain()
    assert (report.sent, report.messages, report.retried_429) == (6, 6, 0)
    order = [m.chat_id for m in botapi.messages]
    assert order[:2] in ([1, 2], [2, 1]) and sorted(order) == [1, 1, 1, 2, 2, 2]
    # Each chat waited about a second between its own messages.
    assert clock.now - 1000.0 >= 2 * Pace().private_interval
    again = await queue(sqlite_store, tg_bot, clock).drain()
    assert again.sent == 0 and len(botapi.messages) == 6


async def test_many_pending_alerts_become_one_digest(
    sqlite_store: Store, botapi: BotApiServer, tg_bot: Bot
) -> None:
    await setup(sqlite_store, {-100: 8})
    report = await queue(sqlite_store, tg_bot, FakeTime()).drain()
    [digest] = botapi.sent_to(-100)
    assert (report.sent, report.messages) == (8, 1)
    assert sum("news.example" in e.get("url", "") for e in digest.entities) == 8
    assert (await sqlite_store.stats()).alerts_sent == 8


async def test_a_429_is_waited_out_for_as_long_as_telegram_asks(
    sqlite_store: Store, botapi: BotApiServer, tg_bot: Bot
) -> None:
    await setup(sqlite_store, {1: 1})
    botapi.fail_next("sendMessage", Failure.retry_after(5), chat_id=1)
    clock = FakeTime()
    report = await queue(sqlite_store, tg_bot, clock).drain()
    assert (report.sent, report.retried_429) == (1, 1)
    assert 5 in clock.slept
    assert [c.status for c in botapi.calls_of("sendMessage")] == [429, 200]


async def test_an_outage_loses_nothing_and_pauses_the_queue(
    sqlite_store: Store, botapi: BotApiServer, tg_bot: Bot
) -> None:
    await setup(sqlite_store, {1: 2})
    botapi.block(1, Failure.server_error(502))
    clock = FakeTime()
    sender = queue(sqlite_store, tg_bot, clock, max_attempts=3, backoff=1.0)
    report = await sender.drain()
    assert (report.sent, report.deferred) == (0, 2)
    assert (await sqlite_store.stats()).alerts_pending == 2
    assert (await sender.drain()).sent == 0  # paused: no request is even made
    calls = len(botapi.calls_of("sendMessage"))
    assert calls == 3
    botapi.unblock(1)
    clock.now += 60
    assert (await sender.drain()).sent == 2
    assert [m.chat_id for m in botapi.messages] == [1, 1]


async def test_a_restart_resumes_pending_deliveries_without_repeats(
    sqlite_store: Store, botapi: BotApiServer, tg_bot: Bot
) -> None:
    await setup(sqlite_store, {1: 3})
    # The first process sends one alert, then dies before sending the others.
    [first, *_] = await sqlite_store.pending_alerts()
    await tg_bot.send_message(1, "alert 0")
    await sqlite_store.mark_sent(first.delivery_id, now=NOW, message_id=1)
    # A new process (a new queue over the same database) picks up what is left.
    report = await queue(sqlite_store, tg_bot, FakeTime()).drain()
    assert report.sent == 2
    urls = [m.plain_text.count("news.example") for m in botapi.messages]
    assert len(botapi.messages) == 3 and urls[0] == 0
    assert (await sqlite_store.stats()).alerts_sent == 3


async def test_enforced_limits_provoke_no_429(
    sqlite_store: Store, botapi_limited: BotApiServer
) -> None:
    bot = Bot(botapi_limited.token, base_url=botapi_limited.base_url)
    async with bot:
        await setup(sqlite_store, {1: 3, 2: 3, 3: 3})
        report = await SendQueue(sqlite_store, bot, clock=lambda: NOW).drain()
    assert report.sent == 9
    assert botapi_limited.rate_limited == 0


async def test_the_reply_limiter_does_not_slow_the_queue(
    sqlite_store: Store, botapi: BotApiServer
) -> None:
    await setup(sqlite_store, {1: 5, -100: 5})
    replies_time = FakeTime()
    limiter = ReplyLimiter(ReplyPace(), monotonic=replies_time.monotonic, sleep=replies_time.sleep)
    bot: ExtBot[str] = ExtBot(botapi.token, base_url=botapi.base_url, rate_limiter=limiter)
    async with bot:
        clock = FakeTime()
        report = await queue(
            sqlite_store, bot, clock, private_interval=0.0, group_interval=0.0
        ).drain()

    assert report.messages == 10
    assert replies_time.slept == []  # five to a chat at once: the reply limiter would wait
