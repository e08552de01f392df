"""One alert per story and destination, decided with the story, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import NewArticle
from bot.storage import Store
from bot.storage import schema as t
from tests.storage.test_stories import A1, A2, D1, D2, NOW, Opener, database, feed_of, filler

__all__ = ["database"]  # the fixture, shared

TERROR_DESK, SECURITY_DESK = 11, 22


async def alerting(store: Store, *items: NewArticle, alert: bool = True) -> None:
    """Store each item from its own outlet's feed, alerting, then thread them."""
    for item in items:
        feed = await feed_of(store, item.entry.key.rstrip("0123456789"))
        await store.add_articles(feed, [item], now=NOW, alert=alert)
    await store.thread_stories(now=NOW)


async def alerts(store: Store) -> list[tuple[int, str, int | None]]:
    """(chat, alerted article's URL, story) of every delivery, in creation order."""
    d, a, s = t.deliveries.c, t.articles.c, t.story_alerts.c
    query = (
        select(d.chat_id, a.url, s.story_id)
        .join(t.articles, a.id == d.article_id)
        .outerjoin(t.story_alerts, s.delivery_id == d.id)
        .order_by(d.id)
    )
    async with store.engine.connect() as conn:
        return [(r.chat_id, r.url, r.story_id) for r in await conn.execute(query)]


async def grown(store: Store) -> set[tuple[int, int]]:
    """(story, chat) of the alerts waiting for an edit."""
    s = t.story_alerts.c
    query = select(s.story_id, s.chat_id).where(s.grown_at.is_not(None))
    async with store.engine.connect() as conn:
        return {(r.story_id, r.chat_id) for r in await conn.execute(query)}


async def test_a_story_alerts_each_chat_once_and_later_reports_mark_it_grown(
    database: Opener,
) -> None:
    store = database()
    await store.migrate()
    for chat, topic in ((TERROR_DESK, "terrorism"), (SECURITY_DESK, "security")):
        await store.upsert_chat(chat, kind="private", now=NOW)
        await store.subscribe(chat, [topic], now=NOW)
    await alerting(store, *filler(), alert=False)
    await alerting(store, D1, A1)
    dammam, abha = [row[2] for row in await alerts(store)]
    assert await alerts(store) == [
        (TERROR_DESK, D1.entry.url, dammam),
        (TERROR_DESK, A1.entry.url, abha),
    ]
    assert await grown(store) == set()

    # A second report: the terror desk's alert grows; it adds "security", so the security
    # desk gets the story's first alert now (grown already: another outlet had reported).
    await alerting(store, D2)
    assert (await alerts(store))[2:] == [(SECURITY_DESK, D2.entry.url, dammam)]
    assert await grown(store) == {(dammam, TERROR_DESK), (dammam, SECURITY_DESK)}

    # A restart mid-story re-alerts nothing: the state is in the database.
    await store.close()
    restarted = database()
    await alerting(restarted, A2)
    assert (await alerts(restarted))[3:] == [(SECURITY_DESK, A2.entry.url, abha)]
    assert await grown(restarted) == {
        (dammam, TERROR_DESK),
        (dammam, SECURITY_DESK),
        (abha, TERROR_DESK),
        (abha, SECURITY_DESK),
    }


async def test_an_article_that_may_not_alert_starts_no_alert(database: Opener) -> None:
    store = database()
    await store.migrate()
    await store.upsert_chat(TERROR_DESK, kind="private", now=NOW)
    await store.subscribe(TERROR_DESK, ["terrorism"], now=NOW)
    await alerting(store, *filler(), D1, alert=False)  # a quiet first poll
    assert await alerts(store) == []
    await alerting(store, A1)
    assert [row[1] for row in await alerts(store)] == [A1.entry.url]
