"""How the send queue turns pending alerts into messages."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.delivery.send import (
    Defer,
    Gone,
    Moved,
    Outcome,
    Pace,
    Retry,
    SendQueue,
    Skip,
    outcome_of,
)
from bot.delivery.summarise import ArticleSummaries, summarise
from bot.models import Alert, Article, Entry, NewArticle, TopicMatch
from bot.render import alert_html
from bot.storage import Store
from tests.helpers.botapi import BotApiServer
from tests.helpers.headlines import distinct_title
from tests.helpers.topics import BUILT_IN

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
NO_WAIT = Pace(private_interval=0.0, group_interval=0.0, global_interval=0.0)


def long_alert(n: int) -> Alert:
    """An alert whose title fills its digest cap with emoji, two UTF-16 units each."""
    article = Article(
        id=n,
        feed_id=1,
        url=f"https://news.example/{n}",
        title=f"خبر رقم {n} " + "🔥🔥🔥 " * 100,
        text="",
        published=NOW,
        language="ar",
        topics=(TopicMatch("terrorism", 5.0, ("x",)),),
        feed_title="وكالة أنباء " * 20,
    )
    return Alert(delivery_id=100 + n, chat_id=1, article=article)


def test_each_digest_message_settles_only_the_headlines_it_shows(sqlite_store: Store) -> None:
    queue = SendQueue(sqlite_store, Bot("1:test"), clock=lambda: NOW)
    alerts = [long_alert(n) for n in range(10)]  # one chunk, too long for one message
    messages = queue._messages(alerts, ArticleSummaries())
    assert len(messages) == 2
    for message in messages:
        shown = [int(n) for n in re.findall(r'href="https://news\.example/(\d+)"', message.text)]
        assert message.deliveries == tuple(100 + n for n in shown)
    assert [d for m in messages for d in m.deliveries] == [a.delivery_id for a in alerts]


class CountingSummariser:
    """The real summarise, counting the articles it is asked to summarise."""

    def __init__(self) -> None:
        self.titles: list[str] = []

    def __call__(self, title: str, text: str) -> str:
        self.titles.append(title)
        return summarise(title, text)


def new_article(n: int) -> NewArticle:
    """A terrorism article about its own event, with a body worth summarising."""
    title = distinct_title(n)
    text = f"{title}. وأدانت الحكومة ما جرى وتعهدت بالتحقيق. " * 3
    digest = hashlib.sha256(title.encode()).hexdigest()
    entry = Entry(f"g{n}", f"https://news.example/{n}", title, text, NOW, digest, "ar")
    return NewArticle(entry, title, "ar", (TopicMatch("terrorism", 6.0, ("داعش (body)",)),))


async def test_an_article_is_summarised_once_however_many_chats_get_it(
    sqlite_store: Store, botapi: BotApiServer, tg_bot: Bot
) -> None:
    feed = await sqlite_store.add_feed("https://news.example/rss", title="مصدر", now=NOW)
    chats = {1: "ar", 2: "en", 3: "ar", -1004: "en", -1005: "ar"}
    for chat_id, language in chats.items():
        kind = "private" if chat_id > 0 else "supergroup"
        await sqlite_store.upsert_chat(chat_id, kind=kind, now=NOW, language=language)
        await sqlite_store.subscribe(chat_id, ["terrorism"], now=NOW)
    await sqlite_store.add_articles(feed, [new_article(1), new_article(2)], now=NOW)
    await sqlite_store.thread_stories(now=NOW)  # alerts follow the story decision
    pending = await sqlite_store.pending_alerts()
    # What each chat got before: its alert rendered with a summary computed for it alone.
    expected = {
        (a.chat_id, alert_html(a, summarise(a.article.title, a.article.text), BUILT_IN))
        for a in pending
    }
    counter = CountingSummariser()
    queue = SendQueue(
        sqlite_store, tg_bot, clock=lambda: NOW, pace=NO_WAIT, topics=BUILT_IN, summariser=counter
    )
    report = await queue.drain()
    assert report.messages == len(pending) == 10
    assert sorted(counter.titles) == sorted({a.article.title for a in pending})  # once each
    assert {(int(m.chat_id), m.text) for m in botapi.messages} == expected


PACE = Pace(max_attempts=4, backoff=2.0)


@pytest.mark.parametrize(
    ("error", "attempt", "expected"),
    [
        (RetryAfter(7), 1, Retry(7.0, "429", throttled=True)),
        (RetryAfter(timedelta(seconds=90)), 9, Retry(90.0, "429", throttled=True)),
        (ChatMigrated(-1001234), 1, Moved(-1001234)),
        (
            Forbidden("Forbidden: bot was blocked by the user"),
            1,
            Gone("forbidden: Forbidden: bot was blocked by the user"),
        ),
        (BadRequest("Bad Request: chat not found"), 1, Gone("bad request: Chat not found")),
        (
            BadRequest("Bad Request: not enough rights to send text messages to the chat"),
            1,
            Gone("bad request: Not enough rights to send text messages to the chat"),
        ),
        (
            BadRequest("Bad Request: can't parse entities"),
            1,
            Skip("bad request: Can't parse entities"),
        ),
        (NetworkError("Bad Gateway"), 1, Retry(2.0, "Bad Gateway")),
        (TimedOut(), 3, Retry(8.0, "Timed out")),
        (NetworkError("Bad Gateway"), 4, Defer("Bad Gateway")),
    ],
)
def test_each_telegram_error_maps_to_what_the_queue_does_next(
    error: Exception, attempt: int, expected: Outcome
) -> None:
    assert outcome_of(error, attempt=attempt, pace=PACE) == expected


def test_a_bad_request_is_never_retried_though_it_is_a_network_error() -> None:
    assert outcome_of(BadRequest("Message is too long"), attempt=1, pace=PACE) == Skip(
        "bad request: Message is too long"
    )


@pytest.mark.parametrize("error", [Conflict("terminated by other getUpdates"), KeyError("x")])
def test_unexpected_errors_have_no_outcome_so_they_surface(error: Exception) -> None:
    assert outcome_of(error, attempt=1, pace=PACE) is None
