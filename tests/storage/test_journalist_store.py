"""Chat settings, digest holds and /why lookups in the store, identical on both databases."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import ChatSettings, Entry, NewArticle, TopicMatch
from bot.storage import Store

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def article(n: int) -> NewArticle:
    """A terrorism article, each about its own event (its own story)."""
    title = ("انفجار سيارة مفخخة قرب سوق في الموصل", "اختطاف رهائن في ميناء جدة على يد مسلحين")[
        n - 1
    ]
    entry = Entry(
        f"g{n}",
        f"https://news.example/{n}",
        title,
        "نص",
        NOW,
        hashlib.sha1(title.encode()).hexdigest(),
        "ar",
    )
    return NewArticle(entry, title, "ar", (TopicMatch("terrorism", 4.5, ("داعش (title)",)),))


async def setup(store: Store, chats: list[int]) -> None:
    """Subscribe chats to terrorism and store two articles, each alerting every chat."""
    feed = await store.add_feed("https://news.example/rss", title="Local", now=NOW)
    for chat_id in chats:
        await store.upsert_chat(chat_id, kind="private", language="en", now=NOW)
        await store.subscribe(chat_id, ["terrorism"], now=NOW)
    await store.add_articles(feed, [article(1), article(2)], now=NOW)
    await store.thread_stories(now=NOW)  # alerts follow the story decision


async def test_settings_default_then_change(store: Store) -> None:
    assert await store.chat_settings(7) is None
    await store.upsert_chat(7, kind="private", language="en", now=NOW)
    assert await store.chat_settings(7) == ChatSettings(chat_id=7, language="en")
    until = NOW + timedelta(hours=2)
    await store.update_chat_settings(
        7,
        digest="daily",
        digest_at="07:30",
        timezone="Africa/Casablanca",
        muted_until=until,
        language="ar",
        language_fixed=True,
        last_digest_at=NOW,
    )
    settings = await store.chat_settings(7)
    assert settings == ChatSettings(
        chat_id=7,
        language="ar",
        language_fixed=True,
        timezone="Africa/Casablanca",
        digest="daily",
        digest_at="07:30",
        last_digest_at=NOW,
        muted_until=until,
    )
    await store.upsert_chat(7, kind="private", language="en", now=NOW)  # settings stay
    assert await store.chat_settings(7) == settings
    with pytest.raises(ValueError, match="not chat settings: active"):
        await store.update_chat_settings(7, active=False)


async def test_digest_and_muted_chats_wait_for_the_digest_job(store: Store) -> None:
    await setup(store, [1, 2, 3])
    await store.update_chat_settings(2, digest="hourly")
    await store.update_chat_settings(3, muted_until=NOW + timedelta(hours=1))
    assert {a.chat_id for a in await store.pending_alerts()} == {1}
    assert [a.article.url for a in await store.pending_alerts(chat_id=2)] == [
        "https://news.example/1",
        "https://news.example/2",
    ]
    assert [c.chat_id for c in await store.held_chats()] == [2, 3]
    await store.deactivate_chat(3, reason="blocked")
    assert [c.chat_id for c in await store.held_chats()] == [2]


async def test_a_message_id_leads_back_to_its_articles_and_evidence(store: Store) -> None:
    await setup(store, [1])
    first, second = await store.pending_alerts(chat_id=1)
    await store.mark_sent(first.delivery_id, now=NOW, message_id=500)  # one digest message
    await store.mark_sent(second.delivery_id, now=NOW, message_id=500)
    found = await store.delivered_articles(1, 500)
    assert [a.title for a in found] == [article(1).entry.title, article(2).entry.title]
    assert found[0].topics == (TopicMatch("terrorism", 4.5, ("داعش (title)",)),)
    assert await store.delivered_articles(2, 500) == []  # another chat's message ids differ
    assert await store.delivered_articles(1, 501) == []
