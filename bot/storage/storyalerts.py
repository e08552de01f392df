"""One alert per story and destination, decided when the threading step records a story.

A destination subscribed to any topic of a story (the union of its members' topics) gets
one delivery, for the story's first report in the step that may alert (the write's
choice: catch-up cap, quiet first poll); once it has its alert, later reports only mark
the alert as grown, and the update job edits the message in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import StoryEdit
from bot.storage import schema as t
from bot.storage.base import StoreBase
from bot.storage.rows import alert_columns, alert_record, subscribers, topics_of

Destination = tuple[int, int]  # (chat_id, thread_id)


@dataclass(frozen=True, slots=True)
class Decided:
    """An article whose story was just recorded."""

    article_id: int
    story_id: int
    alert: bool  # the write's choice: whether it may start an alert


async def enqueue_story_alerts(
    conn: AsyncConnection, decided: Sequence[Decided], now: datetime, *, grow: bool = True
) -> int:
    """New deliveries for destinations without an alert of the story; grown marks for the
    rest (unless `grow` is False: no new report, only new topics). How many deliveries."""
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
    created = await _insert_alerts(conn, new, now)
    if grow:
        await _mark_grown(conn, grown, now)
        await _mark_breaking(conn, story_ids, now)  # new alerts too: marked once sent
    return created


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
    """The story grew: an edit is due."""
    if not grown:
        return
    s = t.story_alerts.c
    keys = sorted(grown)
    for start in range(0, len(keys), 300):  # bounded statements
        page = keys[start : start + 300]
        match = or_(*(and_(s.story_id == a, s.chat_id == b, s.thread_id == c) for a, b, c in page))
        # The newest growth's time: an edit under way clears only the growth it showed.
        query = update(t.story_alerts).where(match).values(grown_at=now)
        await conn.execute(query)


def is_breaking(reports: Sequence[tuple[datetime, str]], outlets: int, minutes: int) -> bool:
    """Whether at least `outlets` distinct outlets reported within some `minutes` span."""
    if outlets <= 0:
        return False
    ordered = sorted(reports)
    span = timedelta(minutes=minutes)
    for i, (start, _) in enumerate(ordered):
        within = {outlet for at, outlet in ordered[i:] if at - start <= span}
        if len(within) >= outlets:
            return True
    return False


async def _mark_breaking(conn: AsyncConnection, story_ids: list[int], now: datetime) -> None:
    """Alerts whose story became breaking by their chat's setting: mark them, edit due."""
    s, c, m = t.story_alerts.c, t.chats.c, t.story_members.c
    query = (
        select(s.story_id, s.chat_id, s.thread_id, c.breaking_outlets, c.breaking_minutes)
        .join(t.chats, c.id == s.chat_id)
        .where(s.story_id.in_(story_ids), s.breaking_at.is_(None), c.breaking_outlets > 0)
    )
    candidates = (await conn.execute(query)).all()
    if not candidates:
        return
    reports: dict[int, list[tuple[datetime, str]]] = {}
    members = select(m.story_id, m.at, m.outlet).where(m.story_id.in_(story_ids))
    for member in await conn.execute(members):
        reports.setdefault(member.story_id, []).append((member.at, member.outlet))
    for row in candidates:
        if is_breaking(reports.get(row.story_id, []), row.breaking_outlets, row.breaking_minutes):
            key = and_(
                s.story_id == row.story_id, s.chat_id == row.chat_id, s.thread_id == row.thread_id
            )
            await conn.execute(
                update(t.story_alerts).where(key).values(breaking_at=now, grown_at=now)
            )


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
    crowded = await _with_others(conn, {story_id for story_id, _, _ in new})
    alerts = [
        {
            "story_id": story_id,
            "chat_id": chat_id,
            "thread_id": thread_id,
            "delivery_id": ids.get((article_id, chat_id, thread_id)),
            "created_at": now,
            "edited_seq": 0,
            # Others reported it already: the first edit shows them once the alert is sent.
            "grown_at": now if story_id in crowded else None,
        }
        for (story_id, chat_id, thread_id), article_id in new.items()
    ]
    await conn.execute(_insert(conn, t.story_alerts).on_conflict_do_nothing(), alerts)
    return len(ids)


async def _with_others(conn: AsyncConnection, story_ids: set[int]) -> set[int]:
    """The stories with more than one report."""
    m = t.story_members.c
    query = (
        select(m.story_id)
        .where(m.story_id.in_(sorted(story_ids)))
        .group_by(m.story_id)
        .having(func.count() > 1)
    )
    return set((await conn.execute(query)).scalars())


def _insert(conn: AsyncConnection, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


# At most one edit of a message per this interval: the growth of a minute is one edit.
EDIT_EVERY = timedelta(minutes=1)


class StoryAlertTables(StoreBase):
    """The alerts of stories that grew, for the update job."""

    async def due_story_edits(self, *, now: datetime, limit: int = 200) -> list[StoryEdit]:
        """Grown alerts sent as a message of their own, not edited in the last minute."""
        s, d, a, c = t.story_alerts.c, t.deliveries.c, t.articles.c, t.chats.c
        query = (
            select(
                s.story_id,
                s.grown_at,
                s.breaking_at,
                s.breaking_told_at,
                d.message_id,
                *alert_columns(),
            )
            .join(t.deliveries, d.id == s.delivery_id)
            .join(t.articles, a.id == d.article_id)
            .join(t.chats, c.id == d.chat_id)
            .outerjoin(t.feeds, t.feeds.c.id == a.feed_id)
            .where(
                s.grown_at.is_not(None),
                or_(s.edited_at.is_(None), s.edited_at <= now - EDIT_EVERY),
                d.state == "sent",
                d.message_id.is_not(None),
                c.active,
                ~_shared_message(),
            )
            .order_by(s.grown_at)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
            topics = await topics_of(conn, {row.id for row in rows})
        return [
            StoryEdit(
                row.story_id,
                row.chat_id,
                row.thread_id,
                row.message_id,
                row.grown_at,
                alert_record(row, topics.get(row.id, ())),
                breaking=row.breaking_at is not None,
                tell_breaking=row.breaking_at is not None and row.breaking_told_at is None,
            )
            for row in rows
        ]

    async def mark_story_edited(
        self, edit: StoryEdit, *, now: datetime, told_breaking: bool = False
    ) -> None:
        """The edit went out (and the breaking reply, if told): clear what it showed."""
        s = t.story_alerts.c
        key = and_(
            s.story_id == edit.story_id, s.chat_id == edit.chat_id, s.thread_id == edit.thread_id
        )
        async with self.transaction() as conn:
            if told_breaking:
                await conn.execute(update(t.story_alerts).where(key).values(breaking_told_at=now))
            await conn.execute(
                update(t.story_alerts)
                .where(key, s.grown_at == edit.grown_at)
                .values(grown_at=None, edited_at=now)
            )
            await conn.execute(
                update(t.story_alerts).where(key, s.grown_at.is_not(None)).values(edited_at=now)
            )


def _shared_message() -> Any:
    """Whether the alert went out inside a digest (another delivery shares its message)."""
    d = t.deliveries.c
    other = t.deliveries.alias("other")
    return (
        select(other.c.id)
        .where(
            other.c.chat_id == d.chat_id,
            other.c.message_id == d.message_id,
            other.c.id != d.id,
        )
        .exists()
    )
