"""How the send queue turns pending alerts into messages, without sending them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from telegram import Bot

from bot.delivery.send import SendQueue
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
