"""What admins' /split asks of the store, identical on SQLite and PostgreSQL: a detached
report is alerted to the chats subscribed to its topics, once each."""

# ruff: noqa: F811 - the database fixture comes from test_stories

from __future__ import annotations

from tests.storage.test_stories import (  # noqa: F401 - fixture
    D1,
    D2,
    NOW,
    Opener,
    database,
    filler,
    stored,
)

TERROR_CHAT, SECURITY_CHAT, SPORTS_CHAT = 101, 102, 103


async def test_a_detached_report_is_alerted_to_its_topics_chats_once(database: Opener) -> None:
    store = database()
    await store.migrate()
    await stored(store, *filler())
    d1, d2 = await stored(store, D1, D2)  # stored without alerts; D2 joined D1's story
    for chat_id, topic in (
        (TERROR_CHAT, "terrorism"),
        (SECURITY_CHAT, "security"),
        (SPORTS_CHAT, "sports"),
    ):
        await store.upsert_chat(chat_id, kind="private", now=NOW)
        await store.subscribe(chat_id, [topic], now=NOW)
    assert await store.story_ids([d1, d2]) == {d1: d1, d2: d1}
    await store.detach_article(d2, now=NOW)

    assert await store.alert_article(d2, now=NOW) == 2  # D2: terrorism and security

    pending = await store.pending_alerts()
    assert sorted((a.chat_id, a.article.id) for a in pending) == [
        (TERROR_CHAT, d2),
        (SECURITY_CHAT, d2),
    ]
    assert await store.alert_article(d2, now=NOW) == 0  # already queued: nothing twice
    assert await store.alert_article(99_999, now=NOW) == 0
