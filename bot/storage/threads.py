"""Threading stored articles into stories: the threader is a cache of what the database says.

The poll's write queues each new article (`story_queue`, in the articles' transaction);
a threading step takes the queue in publication order, decides each article's story and
records the decisions, numbered by `seq`, removing them from the queue. The poll runs
steps while it stores, so its writes never wait for the threader.

A step first brings the threader up to date: it restores the decisions recorded after the
last it applied (another instance's), or, when the threader does not exist yet or its
state is in doubt (a failed step, a worker process restarted, an admin's /split), rebuilds
it by restoring the stored members of the stories still in the window (restored, not
decided again), so a restart neither forgets a story nor decides anew. On PostgreSQL a
step holds a transaction-scoped advisory lock from its reads to its writes, so instances
take turns; SQLite has one writer, and a step there decides between a read and a short
write, so the poll's writes do not wait for it either.

An article published before the window (a feed's archive) is its own story, compared with
nothing. A full-text feed's article is decided on the lede it was stored with, and restored
with the text its page gave, if that came meanwhile.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot import storythreads
from bot.models import JoinEvidence, StoryProgress
from bot.storage import schema as t
from bot.storage.base import StoreBase
from bot.storage.stories import MemberRow, last_seq, lock_stories, outlet_of, record_members
from bot.storage.storyalerts import Decided, enqueue_story_alerts
from bot.storythreads import ThreadRequest
from classifiers.stories import Decision, StoryArticle

T = TypeVar("T")

# The threader reads a title and lede (a few hundred words); a longer body is cut before it
# travels, identically when deciding and when restoring.
STORY_TEXT_CHARS = 3000
# Articles decided, or restored, in one message to the threader: bounds a step's
# transaction and what travels at once.
STEP_ARTICLES = 2000


Restorable = tuple[StoryArticle, str]


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
    """A stored article waiting for its story."""

    article_id: int
    feed_id: int | None
    url: str
    title: str
    text: str
    language: str | None
    published: datetime
    stored_at: datetime
    alert: bool = False  # the write's choice: whether it may start an alert

    @property
    def at(self) -> datetime:
        """The time threading uses: published, but never after it was stored."""
        return min(self.published, self.stored_at)

    def story_article(self) -> StoryArticle:
        """What the threader reads."""
        return StoryArticle(str(self.article_id), self.title, self.text, self.at, self.language)


@dataclass(slots=True)
class _Plan:
    """What one step does, read from the database."""

    latest: int  # the newest decision's number when the step read
    rebuild: bool
    restored: int = 0
    old: list[Threadable] = field(default_factory=list)  # published before the window
    fresh: list[Threadable] = field(default_factory=list)  # to decide, in this order


class StoryThreads:
    """One store's threader, kept in step with the database."""

    def __init__(self, options: StoryOptions) -> None:
        """No threader yet: the first step builds it from the database."""
        self.window = options.window
        self._run: Runner = options.run or asyncio.to_thread
        self.token = uuid.uuid4().hex  # names this store's threader where it runs
        self._cursor: int | None = None  # the last decision applied; None: rebuild first
        self._lock = asyncio.Lock()

    async def step(self, store: StoreBase, now: datetime) -> StoryProgress:
        """Decide and record the stories of up to STEP_ARTICLES queued articles."""
        async with self._lock:
            try:
                if store.dialect == "postgresql":
                    async with store.engine.begin() as conn:
                        await lock_stories(conn)  # until this transaction ends
                        plan, decisions = await self._plan_and_decide(conn, now)
                        return await self._record(conn, plan, decisions, now)
                async with store.engine.connect() as conn:
                    plan, decisions = await self._plan_and_decide(conn, now)
                async with store.transaction() as conn:
                    return await self._record(conn, plan, decisions, now)
            except BaseException:
                self._cursor = None  # whatever the threader holds may not be recorded
                raise

    async def _plan_and_decide(
        self, conn: AsyncConnection, now: datetime
    ) -> tuple[_Plan, list[Decision]]:
        """Bring the threader up to date, then decide the queued articles."""
        plan = _Plan(await last_seq(conn), self._cursor is None)
        cutoff = now - self.window
        for item in await _queued(conn):
            (plan.old if item.at < cutoff else plan.fresh).append(item)
        plan.fresh.sort(key=lambda i: (i.at, i.article_id))
        decide = tuple(i.story_article() for i in plan.fresh)
        for _attempt in range(2):
            restored = await self._catch_up(conn, plan)
            decisions = (
                [] if restored is None or not decide else await self._call(False, (), decide)
            )
            if restored is not None and decisions is not None:
                plan.restored = restored
                return plan, decisions
            plan.rebuild = True  # the process running it lost it (a new worker): rebuild there
        raise RuntimeError("the story threader was lost twice in a row")

    async def _catch_up(self, conn: AsyncConnection, plan: _Plan) -> int | None:
        """Restore the decisions the threader lacks, a page at a time; how many (None: lost)."""
        m = t.story_members.c
        if not plan.rebuild:
            moved = select(m.article_id).where(
                m.seq > (self._cursor or 0), m.seq <= plan.latest, m.moved_at.is_not(None)
            )
            plan.rebuild = (await conn.execute(moved.limit(1))).first() is not None
        if plan.rebuild:
            query = await self._window_query(conn)
            after = 0
        else:
            query = _restore_query().where(m.threaded, m.seq <= plan.latest)
            after = self._cursor or 0
        restored, reset = 0, plan.rebuild
        while True:
            page = [] if query is None else await _page(conn, query, after)
            if (page or reset) and await self._call(
                reset, tuple(map(_restorable, page)), ()
            ) is None:
                return None
            restored, reset = restored + len(page), False
            if len(page) < STEP_ARTICLES:
                return restored
            after = page[-1].seq

    async def _call(
        self, reset: bool, restore: tuple[Restorable, ...], decide: tuple[StoryArticle, ...]
    ) -> list[Decision] | None:
        """One message to the threader where it runs; None if that process lacks it."""
        request = ThreadRequest(self.token, self.window.total_seconds(), reset, restore, decide)
        return await self._run(storythreads.thread_batch, request)

    async def _record(
        self, conn: AsyncConnection, plan: _Plan, decisions: list[Decision], now: datetime
    ) -> StoryProgress:
        """Record the decisions and their stories' alerts, unqueue, move the cursor."""
        rows = [_old_row(i) for i in plan.old] + [
            _decided_row(i, d) for i, d in zip(plan.fresh, decisions, strict=True)
        ]
        latest = await last_seq(conn)
        await record_members(conn, rows, latest + 1)
        alerts = {i.article_id: i.alert for i in [*plan.old, *plan.fresh]}
        decided = [Decided(r.article_id, r.story_id, alerts[r.article_id]) for r in rows]
        await enqueue_story_alerts(conn, decided, now)
        if rows:
            q = t.story_queue.c
            done = [r.article_id for r in rows]
            for start in range(0, len(done), 1000):  # bounded IN lists
                await conn.execute(
                    delete(t.story_queue).where(q.article_id.in_(done[start : start + 1000]))
                )
        # Someone recorded in between (an admin's /split on SQLite): rebuild next time.
        self._cursor = latest + len(rows) if latest == plan.latest else None
        return StoryProgress(len(rows), plan.restored, plan.rebuild)

    async def _window_query(self, conn: AsyncConnection) -> Any:
        """The members of the stories still open, in decision order; None if there are none."""
        m, s = t.story_members.c, t.stories.c
        newest = await conn.scalar(select(func.max(m.at)).where(m.threaded))
        if newest is None:
            return None
        return (
            _restore_query()
            .join(t.stories, s.id == m.story_id)
            .where(m.threaded, s.opened_at >= newest - self.window)
        )


def _text() -> Any:
    """The part of an article's text the threader reads."""
    return func.substr(t.articles.c.text, 1, STORY_TEXT_CHARS).label("text")


async def _queued(conn: AsyncConnection) -> list[Threadable]:
    """Queued articles, oldest published first, at most a step's worth."""
    a, q = t.articles.c, t.story_queue.c
    query = (
        select(
            a.id, a.feed_id, a.url, a.title, _text(), a.language, a.published, a.fetched_at, q.alert
        )
        .join(t.story_queue, q.article_id == a.id)
        .order_by(a.published, a.id)
        .limit(STEP_ARTICLES)
    )
    return [
        Threadable(
            r.id, r.feed_id, r.url, r.title, r.text, r.language, r.published, r.fetched_at, r.alert
        )
        for r in await conn.execute(query)
    ]


def _restore_query() -> Any:
    """Members with what the threader reads of their articles, in decision order."""
    m, a = t.story_members.c, t.articles.c
    return (
        select(m.seq, m.article_id, m.story_id, m.at, a.title, _text(), a.language)
        .join(t.articles, a.id == m.article_id)
        .order_by(m.seq)
    )


async def _page(conn: AsyncConnection, query: Any, after: int) -> list[Any]:
    """The next page of a members query, after a decision number."""
    page = query.where(t.story_members.c.seq > after).limit(STEP_ARTICLES)
    return list((await conn.execute(page)).all())


def _restorable(row: Any) -> Restorable:
    """A stored member as the threader restores it."""
    article = StoryArticle(str(row.article_id), row.title, row.text, row.at, row.language)
    return article, str(row.story_id)


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


async def thread_all(threads: StoryThreads, store: StoreBase, now: datetime) -> StoryProgress:
    """Steps until the queue is empty; what they did in all."""
    decided, restored, rebuilt = 0, 0, False
    while True:
        progress = await threads.step(store, now)
        decided += progress.decided
        restored += progress.restored
        rebuilt = rebuilt or progress.rebuilt
        if progress.decided < STEP_ARTICLES:
            return StoryProgress(decided, restored, rebuilt)


def queue_rows(article_ids: Sequence[int], alerting: Set[int]) -> list[dict[str, Any]]:
    """story_queue rows for newly stored articles, with whether each may alert."""
    return [{"article_id": i, "alert": i in alerting} for i in article_ids]
