"""One alert per story and destination, decided when the threading step records a story.

A destination subscribed to any topic of a story (the union of its members' topics) gets
one delivery, for the story's first report in the step that may alert (the write's
choice: catch-up cap, quiet first poll); once it has its alert, later reports only mark
the alert as grown, and the update job edits the message in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage import schema as t
from bot.storage.rows import subscribers

Destination = tuple[int, int]  # (chat_id, thread_id)


@dataclass(frozen=True, slots=True)
class Decided:
    """An article whose story was just recorded."""

    article_id: int
    story_id: int
    alert: bool  # the write's choice: whether it may start an alert


async def enqueue_story_alerts(
    conn: AsyncConnection, decided: Sequence[Decided], now: datetime
) -> int:
    """New deliveries for destinations without an alert of the story; grown marks for the
    rest. Returns how many deliveries were created."""
    if not decided:
        return 0
    story_ids = sorted({d.story_id for d in decided})
    topics = await _story_topics(conn, story_ids)
    subs = await subscribers(conn, {topic for ts in topics.values() for topic in ts})
    existing = await _existing(conn, story_ids)
    first_alerting: dict[int, int] = {}
    for item in decided:
        if item.alert:
            first_alerting.setdefault(item.story_id, item.article_id)
    new: dict[tuple[int, int, int], int] = {}  # (story, chat, thread) -> article
    grown: set[tuple[int, int, int]] = set()
    for story_id in story_ids:
        for sub in subs:
            key = (story_id, sub.chat_id, sub.thread_id)
            if sub.topic not in topics.get(story_id, set()) or key in new or key in grown:
                continue
            if key in existing:
                grown.add(key)
            elif story_id in first_alerting:
                new[key] = first_alerting[story_id]
    await _mark_grown(conn, grown, now)
    return await _insert_alerts(conn, new, now)


async def _story_topics(conn: AsyncConnection, story_ids: list[int]) -> dict[int, set[str]]:
    """The union of each story's members' topics."""
    m, at = t.story_members.c, t.article_topics.c
    query = (
        select(m.story_id, at.topic)
        .join(t.article_topics, at.article_id == m.article_id)
        .where(m.story_id.in_(story_ids))
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for row in await conn.execute(query):
        found.setdefault(row.story_id, set()).add(row.topic)
    return found


async def _existing(conn: AsyncConnection, story_ids: list[int]) -> set[tuple[int, int, int]]:
    """The (story, chat, thread) that already have an alert."""
    s = t.story_alerts.c
    query = select(s.story_id, s.chat_id, s.thread_id).where(s.story_id.in_(story_ids))
    return {(r.story_id, r.chat_id, r.thread_id) for r in await conn.execute(query)}


async def _mark_grown(
    conn: AsyncConnection, grown: set[tuple[int, int, int]], now: datetime
) -> None:
    """The story grew: an edit is due (the first growth since the last edit sets the time)."""
    if not grown:
        return
    s = t.story_alerts.c
    keys = sorted(grown)
    for start in range(0, len(keys), 300):  # bounded statements
        page = keys[start : start + 300]
        match = or_(*(and_(s.story_id == a, s.chat_id == b, s.thread_id == c) for a, b, c in page))
        query = update(t.story_alerts).where(match, s.grown_at.is_(None)).values(grown_at=now)
        await conn.execute(query)


async def _insert_alerts(
    conn: AsyncConnection, new: dict[tuple[int, int, int], int], now: datetime
) -> int:
    """One pending delivery and one story alert per new (story, destination)."""
    if not new:
        return 0
    d = t.deliveries.c
    rows = [
        {
            "article_id": article_id,
            "chat_id": chat_id,
            "thread_id": thread_id,
            "state": "pending",
            "created_at": now,
        }
        for (_, chat_id, thread_id), article_id in new.items()
    ]
    query = (
        _insert(conn, t.deliveries)
        .on_conflict_do_nothing()
        .returning(d.id, d.article_id, d.chat_id, d.thread_id)
    )
    ids = {(r.article_id, r.chat_id, r.thread_id): r.id for r in await conn.execute(query, rows)}
    alerts = [
        {
            "story_id": story_id,
            "chat_id": chat_id,
            "thread_id": thread_id,
            "delivery_id": ids.get((article_id, chat_id, thread_id)),
            "created_at": now,
            "edited_seq": 0,
        }
        for (story_id, chat_id, thread_id), article_id in new.items()
    ]
    await conn.execute(_insert(conn, t.story_alerts).on_conflict_do_nothing(), alerts)
    return len(ids)


def _insert(conn: AsyncConnection, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
