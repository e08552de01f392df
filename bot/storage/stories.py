"""Stories and their members: what the threader decided, read back, and what admins change.

A story's id is its first article's id. Every member row carries the evidence of its
decision and `seq`, the order of decisions over every instance (assigned under the story
lock, see `lock_stories`), which rebuilds and catch-ups follow. `/split` keeps the id
rule: a detached article becomes the story named after itself, and when the article
detached is the one a story is named after, the other members move to the story named
after the first of them instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Row, Select, Text, bindparam, distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import JoinEvidence, Story, StoryMember
from bot.storage import schema as t
from bot.storage.base import StoreBase
from bot.storage.rows import delivery_rows, subscribers, topics_of

# The PostgreSQL advisory lock that serialises story decisions among instances ("Mars" 1).
STORY_LOCK = 0x4D617273_00000001


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One decision to record."""

    article_id: int
    story_id: int
    at: datetime
    outlet: str
    threaded: bool
    evidence: JoinEvidence


async def lock_stories(conn: AsyncConnection) -> None:
    """Hold the story lock until the transaction ends (PostgreSQL; SQLite has one writer)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(select(func.pg_advisory_xact_lock(STORY_LOCK)))


async def last_seq(conn: AsyncConnection) -> int:
    """The number of the newest decision, 0 before the first."""
    return int(await conn.scalar(select(func.max(t.story_members.c.seq))) or 0)


def outlet_of(url: str, feed_id: int | None) -> str:
    """Who published an article: its link's host without www., else its feed."""
    host = urlsplit(url).hostname or "" if url.startswith(("http://", "https://")) else ""
    host = host.removeprefix("www.")
    return host[:255] if host else f"feed:{feed_id}"


def evidence_json(evidence: JoinEvidence) -> str:
    """The evidence as stored."""
    return json.dumps(
        {
            "reason": evidence.reason,
            "matched": evidence.matched,
            "similarity": evidence.similarity,
            "names": evidence.names,
            "score": evidence.score,
            "conflicts": evidence.conflicts,
            "shared": list(evidence.shared),
        },
        ensure_ascii=False,
    )


def evidence_from_json(text: str) -> JoinEvidence:
    """Stored evidence back as a record."""
    data: dict[str, Any] = json.loads(text)
    return JoinEvidence(
        reason=str(data["reason"]),
        matched=data.get("matched"),
        similarity=float(data.get("similarity", 0.0)),
        names=float(data.get("names", 0.0)),
        score=float(data.get("score", 0.0)),
        conflicts=int(data.get("conflicts", 0)),
        shared=tuple(data.get("shared", ())),
    )


async def record_members(conn: AsyncConnection, rows: Sequence[MemberRow], first_seq: int) -> None:
    """Record decisions numbered from first_seq: new stories, members, the stories' counts."""
    if not rows:
        return
    founders = [r for r in rows if r.story_id == r.article_id]
    if founders:
        await conn.execute(
            t.stories.insert(),
            [
                {"id": r.article_id, "opened_at": r.at, "updated_at": r.at, "members": 1}
                | {"outlets": 1}
                for r in founders
            ],
        )
    await conn.execute(
        t.story_members.insert(),
        [
            {
                "article_id": r.article_id,
                "story_id": r.story_id,
                "seq": first_seq + i,
                "at": r.at,
                "outlet": r.outlet,
                "threaded": r.threaded,
                "evidence": evidence_json(r.evidence),
            }
            for i, r in enumerate(rows)
        ],
    )
    grown = {r.story_id for r in rows if r.story_id != r.article_id}
    await refresh_stories(conn, grown)


async def refresh_stories(conn: AsyncConnection, story_ids: Iterable[int]) -> None:
    """Recount stories' members and outlets and their newest time from their members."""
    ids = sorted(set(story_ids))
    if not ids:
        return
    m = t.story_members.c
    own = m.story_id == bindparam("b_id")
    query = (
        update(t.stories)
        .where(t.stories.c.id == bindparam("b_id"))
        .values(
            members=select(func.count()).where(own).scalar_subquery(),
            outlets=select(func.count(distinct(m.outlet))).where(own).scalar_subquery(),
            updated_at=select(func.max(m.at)).where(own).scalar_subquery(),
        )
    )
    await conn.execute(query, [{"b_id": story_id} for story_id in ids])


def _story(row: Row[Any]) -> Story:
    """A Story from a stories row."""
    return Story(row.id, row.opened_at, row.updated_at, row.members, row.outlets, row.breaking_at)


def _members_query() -> Select[Any]:
    """Members with their article and feed, in decision order."""
    m, a, f = t.story_members.c, t.articles.c, t.feeds.c
    return (
        select(
            m.article_id,
            m.story_id,
            m.seq,
            m.at,
            m.outlet,
            m.evidence,
            m.moved_at,
            a.feed_id,
            f.title.label("feed_title"),
            a.url,
            a.title,
            a.language,
            a.published,
        )
        .join(t.articles, a.id == m.article_id)
        .outerjoin(t.feeds, f.id == a.feed_id)
        .order_by(m.seq)
    )


async def _members(conn: AsyncConnection, query: Select[Any]) -> list[StoryMember]:
    """StoryMember records for a members query, with their topics."""
    rows = (await conn.execute(query)).all()
    topics = await topics_of(conn, {row.article_id for row in rows})
    return [
        StoryMember(
            article_id=row.article_id,
            story_id=row.story_id,
            seq=row.seq,
            at=row.at,
            outlet=row.outlet,
            feed_id=row.feed_id,
            feed_title=row.feed_title,
            url=row.url,
            title=row.title,
            language=row.language,
            published=row.published,
            topics=topics.get(row.article_id, ()),
            evidence=evidence_from_json(row.evidence),
            moved_at=row.moved_at,
        )
        for row in rows
    ]


class StoryTables(StoreBase):
    """Reading stories, and the changes admins make to them."""

    async def story(self, story_id: int) -> Story | None:
        """One story by id."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.stories).where(t.stories.c.id == story_id))).first()
        return None if row is None else _story(row)

    async def story_of(self, article_id: int) -> Story | None:
        """The story an article belongs to; None for one stored before stories (or unknown)."""
        m = t.story_members.c
        query = (
            select(t.stories)
            .join(t.story_members, m.story_id == t.stories.c.id)
            .where(m.article_id == article_id)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _story(row)

    async def story_ids(self, article_ids: Iterable[int]) -> dict[int, int]:
        """The story id of each of some articles that has one."""
        ids = sorted(set(article_ids))
        m = t.story_members.c
        found: dict[int, int] = {}
        async with self.engine.connect() as conn:
            for start in range(0, len(ids), 1000):  # bounded IN lists
                query = select(m.article_id, m.story_id).where(
                    m.article_id.in_(ids[start : start + 1000])
                )
                found.update({row.article_id: row.story_id for row in await conn.execute(query)})
        return found

    async def story_members(self, story_id: int) -> list[StoryMember]:
        """A story's reports in the order they joined, with outlets, links, topics, evidence."""
        query = _members_query().where(t.story_members.c.story_id == story_id)
        async with self.engine.connect() as conn:
            return await _members(conn, query)

    async def story_topics(self, story_id: int) -> set[str]:
        """A story's topics: the union of its reports' topics."""
        m, at = t.story_members.c, t.article_topics.c
        query = (
            select(at.topic)
            .distinct()
            .join(t.story_members, m.article_id == at.article_id)
            .where(m.story_id == story_id)
        )
        async with self.engine.connect() as conn:
            return set((await conn.execute(query)).scalars())

    async def window_members(self, since: datetime) -> list[StoryMember]:
        """Reports of the stories opened since a time, in decision order (for rebuilding)."""
        query = (
            _members_query()
            .join(t.stories, t.stories.c.id == t.story_members.c.story_id)
            .where(t.stories.c.opened_at >= since)
        )
        async with self.engine.connect() as conn:
            return await _members(conn, query)

    async def detach_article(self, article_id: int, *, now: datetime) -> Story | None:
        """Move an article wrongly joined into a story of its own; its story after, or None."""
        m = t.story_members.c
        async with self.transaction() as conn:
            await lock_stories(conn)
            query = select(t.story_members).where(m.article_id == article_id)
            member = (await conn.execute(query)).first()
            if member is None:
                return None
            story_id = member.story_id
            query = select(t.story_members).where(m.story_id == story_id).order_by(m.seq)
            members = (await conn.execute(query)).all()
            if len(members) > 1:
                # The article leaves, or (named after it) the story's other members do.
                leaving = [member] if story_id != article_id else members[1:]
                await _move(conn, leaving, story_id, now)
            row = (await conn.execute(select(t.stories).where(t.stories.c.id == article_id))).one()
        return _story(row)

    async def alert_article(self, article_id: int, *, now: datetime) -> int:
        """Queue an article's alerts to its topics' chats that lack one (/split); how many."""
        at = t.article_topics.c
        async with self.transaction() as conn:
            query = select(at.topic).where(at.article_id == article_id)
            topics = set((await conn.execute(query)).scalars())
            if not topics:
                return 0
            rows = delivery_rows([(article_id, topics)], await subscribers(conn, topics), now)
            if not rows:
                return 0
            insert = self._insert(t.deliveries).on_conflict_do_nothing()
            result = await conn.execute(insert.returning(t.deliveries.c.id), rows)
            return len(result.all())

    async def mark_story_breaking(self, story_id: int, *, at: datetime) -> bool:
        """Mark a story breaking; False if it was already (or there is none): once, whoever asks."""
        s = t.stories.c
        query = (
            update(t.stories)
            .where(s.id == story_id, s.breaking_at.is_(None))
            .values(breaking_at=at)
            .returning(s.id)
        )
        async with self.transaction() as conn:
            return (await conn.execute(query)).first() is not None


async def _move(
    conn: AsyncConnection, leaving: Sequence[Row[Any]], old_story: int, now: datetime
) -> None:
    """Move members, in order, into a new story named after the first of them."""
    new_story = leaving[0].article_id
    await conn.execute(
        t.stories.insert(),
        {
            "id": new_story,
            "opened_at": leaving[0].at,
            "updated_at": leaving[0].at,
            "members": len(leaving),
            "outlets": 1,
        },
    )
    split = evidence_json(JoinEvidence("split", matched=old_story))
    first = await last_seq(conn) + 1
    m = t.story_members.c
    # Each moved row gets a new number: catch-ups see the move and rebuild their threader.
    await conn.execute(
        update(t.story_members)
        .where(m.article_id == bindparam("b_article"))
        .values(
            story_id=new_story,
            seq=bindparam("b_seq"),
            moved_at=now,
            evidence=func.coalesce(bindparam("b_evidence", type_=Text()), m.evidence),
        ),
        [
            {
                "b_article": row.article_id,
                "b_seq": first + i,
                "b_evidence": split if row.article_id == new_story else None,
            }
            for i, row in enumerate(leaving)
        ],
    )
    await refresh_stories(conn, (old_story, new_story))
