"""How the send queue turns pending alerts into messages, without sending them."""

from __future__ import annotations

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
from bot.models import Alert, Article, TopicMatch
from bot.storage import Store

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


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
    messages = queue._messages(alerts)
    assert len(messages) == 2
    for message in messages:
        shown = [int(n) for n in re.findall(r'href="https://news\.example/(\d+)"', message.text)]
        assert message.deliveries == tuple(100 + n for n in shown)
    assert [d for m in messages for d in m.deliveries] == [a.delivery_id for a in alerts]


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
