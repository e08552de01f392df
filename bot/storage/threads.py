"""Story decisions in the write path: the threader is a cache of what the database says.

Every article the poll stores gets its story in the transaction that stores it. Under the
story lock (a transaction-scoped advisory lock on PostgreSQL; SQLite has one writer), the
threader first catches up with the decisions recorded since the last it applied (another
instance's, numbered by `seq`), then decides the new articles in publication order, and
the decisions are recorded with the next numbers. A threader that does not exist yet, or
whose state is in doubt (a failed transaction, a worker process restarted, an admin's
/split), is rebuilt by restoring the stored members of the stories still in the window
(restored, not decided again), so a restart neither forgets a story nor decides anew.

An article published before the window (a feed's archive) is its own story, compared with
nothing. Articles stored before stories existed (revision 0006) and published within the
window are threaded at the first rebuild, in publication order.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot import storythreads
from bot.models import JoinEvidence
from bot.storage import schema as t
from bot.storage.stories import MemberRow, last_seq, lock_stories, outlet_of, record_members
from bot.storythreads import ThreadRequest
from classifiers.stories import Decision, StoryArticle

T = TypeVar("T")

# The threader reads a title and lede; a longer body is cut before it travels (identically
# when deciding and when restoring).
STORY_TEXT_CHARS = 5000


class Runner(Protocol):
    """Runs a module-level function somewhere (a thread, a worker process) and awaits it."""

    def __call__(self, function: Callable[..., T], /, *args: Any) -> Awaitable[T]:
        """The function's result."""
        ...


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """How the store threads stories."""

    window: timedelta = timedelta(hours=48)  # STORY_WINDOW_HOURS
    run: Runner | None = None  # where the threader lives; None: a thread of this process


@dataclass(frozen=True, slots=True)
class Threadable:
    """An article to thread, as the write path stored it."""

    article_id: int
    feed_id: int | None
    url: str
    title: str
    text: str
    language: str | None
    published: datetime
    stored_at: datetime

    @property
    def at(self) -> datetime:
        """The time threading uses: published, but never after it was stored."""
        return min(self.published, self.stored_at)

    def story_article(self) -> StoryArticle:
        """What the threader reads."""
        text = self.text[:STORY_TEXT_CHARS]
        return StoryArticle(str(self.article_id), self.title, text, self.at, self.language)


@dataclass(frozen=True, slots=True)
class Threaded:
    """What one threading step did."""

    stories: dict[int, int]  # article id -> story id, for the articles decided
    restored: int  # members restored into the threader
    rebuilt: bool  # whether the threader was rebuilt from the database


class StoryThreads:
    """One store's threader, kept in step with the database."""

    def __init__(self, options: StoryOptions) -> None:
        """No threader yet: the first step builds it from the database."""
        self.window = options.window
        self._run: Runner = options.run or asyncio.to_thread
        self.token = uuid.uuid4().hex  # names this store's threader where it runs
        self._cursor: int | None = None  # the last decision applied; None: rebuild first
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """The transaction failed: what the threader holds may not be in the database."""
        self._cursor = None

    async def thread(
        self, conn: AsyncConnection, items: Sequence[Threadable], now: datetime
    ) -> Threaded:
        """Decide and record each item's story inside the caller's transaction."""
        async with self._lock:
            try:
                return await self._thread(conn, items, now)
            except BaseException:
                self._cursor = None
                raise

    async def _thread(
        self, conn: AsyncConnection, items: Sequence[Threadable], now: datetime
    ) -> Threaded:
        """thread() under the lock."""
        await lock_stories(conn)
        latest = await last_seq(conn)
        rebuild = self._cursor is None
        restore: list[tuple[StoryArticle, str]] = []
        if not rebuild:
            restore, moved = await _members_after(conn, self._cursor or 0, latest)
            rebuild = moved
        if rebuild:
            restore = await self._window(conn)
            known = {item.article_id for item in items}
            backfill = [i for i in await self._unthreaded(conn, now) if i.article_id not in known]
            items = [*backfill, *items]
        return await self._decide(conn, items, restore, rebuild, latest, now)

    async def _decide(
        self,
        conn: AsyncConnection,
        items: Sequence[Threadable],
        restore: list[tuple[StoryArticle, str]],
        rebuild: bool,
        latest: int,
        now: datetime,
    ) -> Threaded:
        """Run the threader, record its decisions, move the cursor."""
        cutoff = now - self.window
        old = [i for i in items if i.at < cutoff]
        fresh = sorted((i for i in items if i.at >= cutoff), key=lambda i: (i.at, i.article_id))
        request = ThreadRequest(
            self.token,
            self.window.total_seconds(),
            rebuild,
            tuple(restore),
            tuple(i.story_article() for i in fresh),
        )
        decisions = await self._run(storythreads.thread_batch, request)
        if decisions is None:  # the process running it lost the threader: rebuild there
            rebuild, restore = True, await self._window(conn)
            request = ThreadRequest(
                request.token, request.window, True, tuple(restore), request.decide
            )
            decisions = await self._run(storythreads.thread_batch, request)
            if decisions is None:
                raise RuntimeError("the story threader was lost twice in a row")
        rows = [_old_row(i) for i in old] + [
            _decided_row(i, d) for i, d in zip(fresh, decisions, strict=True)
        ]
        await record_members(conn, rows, latest + 1)
        self._cursor = latest + len(rows)
        return Threaded({r.article_id: r.story_id for r in rows}, len(restore), rebuild)

    async def _window(self, conn: AsyncConnection) -> list[tuple[StoryArticle, str]]:
        """The members of the stories still open, in decision order, to restore."""
        m, s = t.story_members.c, t.stories.c
        newest = await conn.scalar(select(func.max(m.at)).where(m.threaded))
        if newest is None:
            return []
        query = (
            _restore_query()
            .join(t.stories, s.id == m.story_id)
            .where(m.threaded, s.opened_at >= newest - self.window)
        )
        return [_restorable(row) for row in await conn.execute(query)]

    async def _unthreaded(self, conn: AsyncConnection, now: datetime) -> list[Threadable]:
        """Articles published within the window that have no story (stored before 0006)."""
        a, m = t.articles.c, t.story_members.c
        member = select(m.article_id).where(m.article_id == a.id).exists()
        query = (
            select(
                a.id,
                a.feed_id,
                a.url,
                a.title,
                func.substr(a.text, 1, STORY_TEXT_CHARS).label("text"),
                a.language,
                a.published,
                a.fetched_at,
            )
            .where(a.published >= now - self.window, ~member)
            .order_by(a.published, a.id)
        )
        return [
            Threadable(
                r.id, r.feed_id, r.url, r.title, r.text, r.language, r.published, r.fetched_at
            )
            for r in await conn.execute(query)
        ]


def _restore_query() -> Any:
    """Members with what the threader reads of their articles, in decision order."""
    m, a = t.story_members.c, t.articles.c
    return (
        select(
            m.article_id,
            m.story_id,
            m.at,
            m.moved_at,
            a.title,
            func.substr(a.text, 1, STORY_TEXT_CHARS).label("text"),
            a.language,
        )
        .join(t.articles, a.id == m.article_id)
        .order_by(m.seq)
    )


def _restorable(row: Any) -> tuple[StoryArticle, str]:
    """A stored member as the threader restores it."""
    article = StoryArticle(str(row.article_id), row.title, row.text, row.at, row.language)
    return article, str(row.story_id)


async def _members_after(
    conn: AsyncConnection, cursor: int, latest: int
) -> tuple[list[tuple[StoryArticle, str]], bool]:
    """Decisions recorded after the cursor (another instance's), and whether one was a move."""
    m = t.story_members.c
    query = _restore_query().add_columns(m.threaded).where(m.seq > cursor, m.seq <= latest)
    rows = (await conn.execute(query)).all()
    moved = any(row.moved_at is not None for row in rows)
    return [_restorable(row) for row in rows if row.threaded], moved


def _old_row(item: Threadable) -> MemberRow:
    """An article published before the window: a story of its own, compared with nothing."""
    outlet = outlet_of(item.url, item.feed_id)
    return MemberRow(item.article_id, item.article_id, item.at, outlet, False, JoinEvidence("old"))


def _decided_row(item: Threadable, decision: Decision) -> MemberRow:
    """The threader's decision as a member row."""
    ev = decision.evidence
    evidence = JoinEvidence(
        reason=ev.reason,
        matched=int(ev.matched) if ev.matched is not None else None,
        similarity=ev.similarity,
        names=ev.names,
        score=ev.score,
        conflicts=ev.conflicts,
        shared=ev.shared,
    )
    outlet = outlet_of(item.url, item.feed_id)
    return MemberRow(item.article_id, int(decision.story), item.at, outlet, True, evidence)
