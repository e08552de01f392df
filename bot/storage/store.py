"""The store: every read and write Marsad makes, on SQLite or PostgreSQL.

`Store` is the one interface the rest of the application uses. The same tests run it on
both databases. All datetimes in and out are timezone-aware UTC. Writes that belong
together (an article, its topics and its deliveries) share one transaction.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Integer,
    Row,
    and_,
    bindparam,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.models import (
    Alert,
    Article,
    AuditEntry,
    CatchUp,
    ChatSettings,
    DeliveredArticle,
    Destination,
    Entry,
    Feed,
    FeedHealth,
    FeedOptions,
    Heartbeat,
    NewArticle,
    PollSuccess,
    StoredBatch,
    StoreStats,
    TopicFlags,
    TopicMatch,
    TopicRecord,
)
from bot.storage import schema as t
from bot.storage.base import create_engine
from bot.storage.migrate import migrate
from bot.storage.search import Searcher, SearchPage, SearchQuery

if TYPE_CHECKING:
    from bot.storage import protocols as p

log = logging.getLogger(__name__)

# Two items with the same normalised title within this window are one story (GUID churn,
# republished items, the same wire story in two feeds). Short titles are too generic.
TITLE_DUPLICATE_WINDOW = timedelta(hours=48)
TITLE_DUPLICATE_MIN_CHARS = 20
# The most add_articles calls one group commit writes; it bounds the transaction's size.
MAX_BATCH = 64
# Entries whose keys one query looks up (three parameters each; the databases allow ~32,000).
SEEN_CHUNK = 2000
# Audit actions of a feed's catch-up (more new items than the cap in one poll), and of
# admins having been told about those up to an audit id (kept in the entry's target).
CATCH_UP = "feed.catch_up"
CATCH_UP_TOLD = "feed.catch_up.told"


def _feed(row: Row[Any]) -> Feed:
    """A Feed record from a feeds row."""
    return Feed(
        id=row.id,
        url=row.url,
        title=row.title,
        etag=row.etag,
        last_modified=row.last_modified,
        active=row.active,
        error_streak=row.error_streak,
        last_error=row.last_error,
        poll_interval=row.poll_interval,
        max_interval=row.max_interval,
        first_poll_alerts=row.first_poll_alerts,
        polled_once=row.polled_once,
        full_text=row.full_text,
        next_check_at=row.next_check_at,
    )


def _health(row: Row[Any]) -> FeedHealth:
    """A FeedHealth record from a feeds row with a recent_articles count."""
    return FeedHealth(
        feed=_feed(row),
        created_at=row.created_at,
        last_success_at=row.last_success_at,
        failing_since=row.failing_since,
        flagged_at=row.flagged_at,
        paused_reason=row.paused_reason,
        fetch_count=row.fetch_count,
        not_modified_count=row.not_modified_count,
        recent_articles=int(row.recent_articles or 0),
    )


def _stored_article(row: Row[Any], topics: tuple[TopicMatch, ...]) -> Article:
    """An Article from an articles row and its topics."""
    return Article(
        id=row.id,
        feed_id=row.feed_id,
        url=row.url,
        title=row.title,
        text=row.text,
        published=row.published,
        language=row.language,
        topics=topics,
    )


@dataclass(slots=True)
class _Write:
    """One add_articles call waiting to be written with others."""

    feed: Feed
    items: Sequence[NewArticle]
    now: datetime
    alert: bool | int
    cap: int | None
    success: PollSuccess | None
    result: asyncio.Future[StoredBatch]


def _key(feed: Feed, item: NewArticle) -> tuple[int, str, str]:
    """How a stored article is found among the inserted rows."""
    return (feed.id, item.entry.url, item.entry.key)


class Store:
    """Marsad's persistence, over one SQLAlchemy async engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        """Wrap an engine; call `migrate()` before first use on a new database."""
        self.engine = engine
        self._insert = sqlite.insert if engine.dialect.name == "sqlite" else postgresql.insert
        # SQLite has one writer at a time: writers queue here in order instead of colliding
        # on pooled connections, sleeping in SQLite's busy handler or failing to upgrade.
        self._write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self._batch_lock = asyncio.Lock()  # one group commit of add_articles at a time
        self._writes: list[_Write] = []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction that commits on success (writers queue on SQLite)."""
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self.engine.begin() as conn:
            yield conn

    @classmethod
    def from_url(cls, url: str) -> Store:
        """A store on a database URL."""
        return cls(create_engine(url))

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    async def migrate(self) -> None:
        """Create or upgrade the schema."""
        await migrate(self.engine)

    async def close(self) -> None:
        """Release every connection."""
        await self.engine.dispose()

    # Feeds

    async def add_feed(self, url: str, *, title: str | None = None, now: datetime) -> Feed:
        """Add a feed, or return the existing one with that URL; it is due at once."""
        async with self.transaction() as conn:
            await conn.execute(
                self._insert(t.feeds)
                .values(url=url, title=title, created_at=now, next_check_at=now)
                .on_conflict_do_nothing()
            )
            row = (await conn.execute(select(t.feeds).where(t.feeds.c.url == url))).one()
        return _feed(row)

    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by id."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.feeds).where(t.feeds.c.id == feed_id))).first()
        return _feed(row) if row else None

    async def list_feeds(self) -> list[Feed]:
        """Every feed, oldest first."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(t.feeds).order_by(t.feeds.c.id))).all()
        return [_feed(row) for row in rows]

    async def due_feeds(self, now: datetime, limit: int = 10_000) -> list[Feed]:
        """Active feeds whose next check time has come, most overdue first."""
        due = or_(t.feeds.c.next_check_at.is_(None), t.feeds.c.next_check_at <= now)
        query = (
            select(t.feeds)
            .where(t.feeds.c.active, due)
            .order_by(t.feeds.c.next_check_at.nulls_first(), t.feeds.c.id)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_feed(row) for row in rows]

    async def record_poll(self, feed: Feed, success: PollSuccess) -> None:
        """Record a good fetch that stored nothing (unchanged, or no new entries)."""
        await self.add_articles(feed, (), now=success.now, alert=False, success=success)

    async def _move_feed(self, feed: Feed, new_url: str) -> None:
        """Follow a permanent redirect, unless another feed already has that URL."""
        try:
            async with self.transaction() as conn:
                query = update(t.feeds).where(t.feeds.c.id == feed.id).values(url=new_url)
                await conn.execute(query)
            log.info("feed %d moved permanently: %s -> %s", feed.id, feed.url, new_url)
        except IntegrityError:
            log.warning("feed %d redirects to %s, which is already a feed", feed.id, new_url)

    async def record_failure(
        self,
        feed: Feed,
        *,
        now: datetime,
        next_check_at: datetime,
        error: str,
        pause_after: timedelta,
    ) -> Feed:
        """Record a failed fetch; pause a feed that has failed for longer than pause_after."""
        async with self.transaction() as conn:
            query = (
                update(t.feeds)
                .where(t.feeds.c.id == feed.id)
                .values(
                    error_streak=t.feeds.c.error_streak + 1,
                    last_error=error[:500],
                    failing_since=func.coalesce(t.feeds.c.failing_since, now),
                    next_check_at=next_check_at,
                    fetch_count=t.feeds.c.fetch_count + 1,
                )
                .returning(*t.feeds.c)
            )
            row = (await conn.execute(query)).one()
            if row.failing_since <= now - pause_after:
                reason = f"failing since {row.failing_since:%Y-%m-%d %H:%M} UTC: {error[:200]}"
                await conn.execute(
                    update(t.feeds)
                    .where(t.feeds.c.id == feed.id)
                    .values(active=False, paused_reason=reason, flagged_at=now)
                )
                log.warning("feed %d paused: %s (%s)", feed.id, feed.url, reason)
                return replace(_feed(row), active=False)
        return _feed(row)

    async def set_feed_options(self, feed_id: int, options: FeedOptions) -> bool:
        """Change a feed's polling options (None leaves one as it is). False if no such feed."""
        values = {k: v for k, v in asdict(options).items() if v is not None}
        if not values:
            return await self.get_feed(feed_id) is not None
        async with self.transaction() as conn:
            query = update(t.feeds).where(t.feeds.c.id == feed_id).values(**values)
            result = await conn.execute(query)
        return result.rowcount > 0

    async def set_feed_active(self, feed_id: int, active: bool, *, now: datetime) -> bool:
        """Pause or resume a feed; a resumed feed is due at once. False if there is none."""
        values: dict[str, Any] = {"active": active, "paused_reason": None if active else "paused"}
        if active:
            values.update(next_check_at=now, error_streak=0, failing_since=None)
        async with self.transaction() as conn:
            result = await conn.execute(
                update(t.feeds).where(t.feeds.c.id == feed_id).values(**values)
            )
        return result.rowcount > 0

    async def remove_feed(self, feed_id: int) -> bool:
        """Delete a feed; its articles stay (their feed becomes NULL) so dedup still holds."""
        async with self.transaction() as conn:
            result = await conn.execute(delete(t.feeds).where(t.feeds.c.id == feed_id))
        return result.rowcount > 0

    async def removed_feed_urls(self) -> set[str]:
        """URLs of feeds an admin removed, which feed lists must not bring back."""
        query = select(t.audit_log.c.target).where(t.audit_log.c.action == "feed.remove")
        async with self.engine.connect() as conn:
            return {url for url in (await conn.execute(query)).scalars() if url}

    # Articles

    async def filter_new(self, feed: Feed, entries: Sequence[Entry]) -> list[Entry]:
        """The entries the database has not seen under any of their keys, nor listed earlier."""
        if not entries:
            return []
        async with self.engine.connect() as conn:
            seen = await _Seen.load(conn, [(feed.id, entries)])
        return [entry for entry in entries if seen.admit(feed.id, entry)]

    async def add_articles(
        self,
        feed: Feed,
        items: Sequence[NewArticle],
        *,
        now: datetime,
        alert: bool | int = True,
        cap: int | None = None,
        success: PollSuccess | None = None,
    ) -> StoredBatch:
        """Store new articles with their topics and, when alerting, their deliveries.

        `alert` is True (every article alerts), False (none), or a number: only that many of
        the newest alert (a first poll's catch-up). With alert=True, more than `cap` new
        articles are a catch-up: only the newest `cap` alert, and an audit entry in the same
        transaction tells admins (report_catch_ups). What the database has seen under any key
        (see filter_new) is skipped, and the unique keys decide the rest, so a racing process
        or a repeated call stores and alerts nothing twice. `success`, when given, records
        the fetch in the same transaction.

        Calls made while another is writing are written together, in one transaction with a
        few statements (group commit): per-feed transactions made the store the bottleneck
        of a big poll cycle.
        """
        if not items and success is None:
            return StoredBatch((), 0, 0)
        future = asyncio.get_running_loop().create_future()
        stored = await self._group_write(_Write(feed, items, now, alert, cap, success, future))
        if success is not None and success.new_url and success.new_url != feed.url:
            await self._move_feed(feed, success.new_url)  # a permanent redirect
        return stored

    async def _group_write(self, write: _Write) -> StoredBatch:
        """Queue a write; whoever holds the batch lock writes everything queued, in order."""
        self._writes.append(write)
        async with self._batch_lock:
            while not write.result.done():  # an earlier writer may have taken it along
                batch, self._writes = self._writes[:MAX_BATCH], self._writes[MAX_BATCH:]
                await self._write_batch(batch)
        return write.result.result()

    async def _write_batch(self, batch: list[_Write]) -> None:
        """Write every queued call in one transaction and settle each call's result."""
        try:
            async with self.transaction() as conn:
                await self._apply_successes(conn, batch)
                seen = await _Seen.load(
                    conn, [(w.feed.id, [i.entry for i in w.items]) for w in batch]
                )
                unseen = [[i for i in w.items if seen.admit(w.feed.id, i.entry)] for w in batch]
                inserted = await self._insert_articles(conn, batch, unseen)
                stored = [
                    [
                        (inserted[_key(w.feed, item)], item)
                        for item in items
                        if _key(w.feed, item) in inserted
                    ]
                    for w, items in zip(batch, unseen, strict=True)
                ]
                await self._insert_topics(conn, [pair for pairs in stored for pair in pairs])
                catch_ups = [_is_catch_up(w, pairs) for w, pairs in zip(batch, stored, strict=True)]
                alerting = [
                    _alerting(pairs, _alert_limit(w, catch_up))
                    for w, pairs, catch_up in zip(batch, stored, catch_ups, strict=True)
                ]
                counts = await self._enqueue(conn, alerting, batch[0].now)
                await self._audit_catch_ups(conn, batch, stored, catch_ups)
        except Exception as exc:  # every caller of the batch learns of it
            for w in batch:
                w.result.set_exception(exc)
            return
        for w, pairs, alerts, count, catch_up in zip(
            batch, stored, alerting, counts, catch_ups, strict=True
        ):
            ids = tuple(article_id for article_id, _ in pairs)
            w.result.set_result(
                StoredBatch(
                    ids,
                    len(w.items) - len(ids),
                    count,
                    articles=tuple(item for _, item in pairs),
                    alerted=frozenset(article_id for article_id, _ in alerts),
                    catch_up=catch_up,
                )
            )

    async def _audit_catch_ups(
        self,
        conn: AsyncConnection,
        batch: list[_Write],
        stored: list[list[tuple[int, NewArticle]]],
        catch_ups: list[bool],
    ) -> None:
        """One audit entry per catch-up, with the feed's name and counts, for admins."""
        rows = []
        for w, pairs, catch_up in zip(batch, stored, catch_ups, strict=True):
            if not catch_up:
                continue
            log.warning(
                "feed %d (%s) listed %d new items at once: only the newest %s alert",
                w.feed.id,
                w.feed.url,
                len(pairs),
                w.cap,
            )
            counts = {"feed": w.feed.id, "name": w.feed.title or w.feed.url, "new": len(pairs)}
            after = json.dumps({**counts, "alerted": w.cap}, ensure_ascii=False)
            rows.append({"at": w.now, "action": CATCH_UP, "target": w.feed.url, "after": after})
        if rows:
            await conn.execute(t.audit_log.insert(), rows)

    async def _apply_successes(self, conn: AsyncConnection, batch: list[_Write]) -> None:
        """Record the batch's good fetches: one statement for the changed, one for the rest."""
        f = t.feeds.c
        health = {
            "error_streak": 0,
            "last_error": None,
            "failing_since": None,
            "flagged_at": None,
            "last_success_at": bindparam("b_now", type_=t.UTCDateTime()),
            "next_check_at": bindparam("b_next", type_=t.UTCDateTime()),
            "fetch_count": f.fetch_count + 1,
        }
        changed = {
            "etag": bindparam("b_etag"),
            "last_modified": bindparam("b_last_modified"),
            "polled_once": True,
            "title": func.coalesce(f.title, bindparam("b_title")),  # a feed's own name stays
        }
        unchanged = {"not_modified_count": f.not_modified_count + 1}
        for not_modified, values in ((False, changed), (True, unchanged)):
            rows = [
                {
                    "b_id": w.feed.id,
                    "b_now": w.success.now,
                    "b_next": w.success.next_check_at,
                    "b_etag": w.success.etag,
                    "b_last_modified": w.success.last_modified,
                    "b_title": w.success.title,
                }
                for w in batch
                if w.success is not None and w.success.not_modified is not_modified
            ]
            if rows:
                query = update(t.feeds).where(f.id == bindparam("b_id"))
                await conn.execute(query.values(**health, **values), rows)

    async def _insert_articles(
        self, conn: AsyncConnection, batch: list[_Write], unseen: list[list[NewArticle]]
    ) -> dict[tuple[int, str, str], int]:
        """Insert what is new under every unique key; new ids by (feed, URL, entry key)."""
        rows = [
            {
                "feed_id": w.feed.id,
                "entry_key": item.entry.key,
                "url": item.entry.url,
                "title_hash": item.entry.title_hash,
                "title": item.entry.title,
                "text": item.entry.text,
                "norm_text": item.norm_text,
                "language": item.language,
                "published": item.entry.published,
                "fetched_at": w.now,
            }
            for w, items in zip(batch, unseen, strict=True)
            for item in items
        ]
        if not rows:
            return {}
        a = t.articles.c
        query = (
            self._insert(t.articles)
            .on_conflict_do_nothing()
            .returning(a.id, a.feed_id, a.url, a.entry_key)
        )
        # One batched statement; rows that conflict on any unique key are simply not returned.
        result = await conn.execute(query, rows)
        return {(row.feed_id, row.url, row.entry_key): row.id for row in result.all()}

    async def _insert_topics(
        self, conn: AsyncConnection, stored: Sequence[tuple[int, NewArticle]]
    ) -> None:
        """Store each article's topics with their evidence."""
        rows = [
            _topic_row(article_id, match) for article_id, item in stored for match in item.topics
        ]
        if rows:
            await conn.execute(t.article_topics.insert(), rows)

    async def _enqueue(
        self,
        conn: AsyncConnection,
        alerting: Sequence[Sequence[tuple[int, NewArticle]]],
        now: datetime,
    ) -> list[int]:
        """One pending delivery per article and subscribed destination; counts per group."""
        topic_ids = {m.topic for pairs in alerting for _, item in pairs for m in item.topics}
        if not topic_ids:
            return [0] * len(alerting)
        subs = await _subscribers(conn, topic_ids)
        groups = [
            _delivery_rows(
                [(aid, {m.topic for m in item.topics}) for aid, item in pairs], subs, now
            )
            for pairs in alerting
        ]
        rows = [row for group in groups for row in group]
        if rows:
            await conn.execute(self._insert(t.deliveries).on_conflict_do_nothing(), rows)
        return [len(group) for group in groups]

    # Outbox

    async def pending_alerts(self, *, limit: int = 500, chat_id: int | None = None) -> list[Alert]:
        """Pending deliveries to active chats, oldest first, with their articles.

        Without chat_id: those sent one by one (chats taking digests, and muted chats, wait
        for bot.digest). With chat_id: everything pending for that chat.
        """
        d, a, c = t.deliveries.c, t.articles.c, t.chats.c
        query = (
            select(
                d.id.label("delivery_id"),
                d.chat_id,
                d.thread_id,
                c.language.label("chat_language"),
                c.timezone.label("chat_timezone"),
                c.show_why,
                t.articles,
                t.feeds.c.title.label("feed_title"),
                t.feeds.c.url.label("feed_url"),
            )
            .join(t.articles, a.id == d.article_id)
            .join(t.chats, c.id == d.chat_id)
            .outerjoin(t.feeds, t.feeds.c.id == a.feed_id)
            .where(d.state == "pending", c.active)
            .order_by(d.id)
            .limit(limit)
        )
        if chat_id is None:
            query = query.where(c.digest == "off", c.muted_until.is_(None))
        else:
            query = query.where(d.chat_id == chat_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
            topics = await self._topics_of(conn, {row.id for row in rows})
        return [_alert(row, topics.get(row.id, ())) for row in rows]

    async def _topics_of(
        self, conn: AsyncConnection, article_ids: set[int]
    ) -> dict[int, tuple[TopicMatch, ...]]:
        """The stored topics of several articles, strongest first."""
        if not article_ids:
            return {}
        query = (
            select(t.article_topics)
            .where(t.article_topics.c.article_id.in_(article_ids))
            .order_by(t.article_topics.c.score.desc(), t.article_topics.c.topic)
        )
        found: dict[int, list[TopicMatch]] = {}
        for row in (await conn.execute(query)).all():
            match = TopicMatch(row.topic, row.score, tuple(json.loads(row.evidence)))
            found.setdefault(row.article_id, []).append(match)
        return {key: tuple(value) for key, value in found.items()}

    async def mark_sent(
        self, delivery_id: int, *, now: datetime, message_id: int | None = None
    ) -> None:
        """Record that Telegram (or the console) accepted a delivery."""
        await self._set_delivery(
            delivery_id,
            state="sent",
            sent_at=now,
            message_id=message_id,
            last_error=None,
            attempts=t.deliveries.c.attempts + 1,
        )

    async def mark_failed(self, delivery_id: int, *, reason: str) -> None:
        """Give up on a delivery, keeping why."""
        await self._set_delivery(
            delivery_id,
            state="failed",
            last_error=reason[:500],
            attempts=t.deliveries.c.attempts + 1,
        )

    async def note_attempt(self, delivery_id: int, *, error: str) -> None:
        """Count a failed attempt that will be retried; the delivery stays pending."""
        await self._set_delivery(
            delivery_id, last_error=error[:500], attempts=t.deliveries.c.attempts + 1
        )

    async def _set_delivery(self, delivery_id: int, **values: Any) -> None:
        """Update one outbox row."""
        async with self.transaction() as conn:
            query = update(t.deliveries).where(t.deliveries.c.id == delivery_id)
            await conn.execute(query.values(**values))

    # Topics

    async def seed_topics(self, definitions: Iterable[Mapping[str, Any]], *, now: datetime) -> int:
        """Insert built-in topics that the database does not have yet; return how many."""
        rows = [
            {
                "id": d["id"],
                "definition": json.dumps(d, ensure_ascii=False),
                "builtin": True,
                "updated_at": now,
            }
            for d in definitions
        ]
        if not rows:
            return 0
        async with self.transaction() as conn:
            query = self._insert(t.topics).on_conflict_do_nothing().returning(t.topics.c.id)
            added = [(await conn.execute(query, row)).first() for row in rows]
        return sum(1 for row in added if row is not None)

    async def topic_definitions(self, *, enabled_only: bool = True) -> list[dict[str, Any]]:
        """Every topic's definition, as stored (JSON objects)."""
        query = select(t.topics.c.definition).order_by(t.topics.c.id)
        if enabled_only:
            query = query.where(t.topics.c.enabled)
        async with self.engine.connect() as conn:
            return [json.loads(text) for text in (await conn.execute(query)).scalars()]

    # Chats and subscriptions

    async def upsert_chat(
        self,
        chat_id: int,
        *,
        kind: str,
        now: datetime,
        title: str | None = None,
        language: str = "ar",
    ) -> None:
        """Record a chat, or reactivate and retitle a known one (its settings stay)."""
        query = self._insert(t.chats).values(
            id=chat_id, kind=kind, title=title, language=language, created_at=now
        )
        query = query.on_conflict_do_update(
            index_elements=[t.chats.c.id],
            set_={"kind": kind, "title": title, "active": True, "deactivated_reason": None},
        )
        async with self.transaction() as conn:
            await conn.execute(query)

    async def deactivate_chat(self, chat_id: int, *, reason: str) -> int:
        """Stop delivering to a chat (blocked, kicked, or the console while on Telegram).

        Its pending deliveries fail with the reason; return how many there were.
        """
        d = t.deliveries.c
        async with self.transaction() as conn:
            await conn.execute(
                update(t.chats)
                .where(t.chats.c.id == chat_id)
                .values(active=False, deactivated_reason=reason)
            )
            failed = await conn.execute(
                update(t.deliveries)
                .where(d.chat_id == chat_id, d.state == "pending")
                .values(state="failed", last_error=reason[:500])
            )
        return failed.rowcount

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move its settings, subscriptions and pending alerts."""
        c, d, s = t.chats.c, t.deliveries.c, t.subscriptions.c
        async with self.transaction() as conn:
            old = (await conn.execute(select(t.chats).where(c.id == old_id))).first()
            if old is None:
                return
            values = dict(old._mapping) | {"id": new_id, "kind": "supergroup", "active": True}
            await conn.execute(self._insert(t.chats).values(values).on_conflict_do_nothing())
            moved = select(s.thread_id, s.topic).where(s.chat_id == new_id)
            have = {(row.thread_id, row.topic) for row in (await conn.execute(moved)).all()}
            for sub in (
                await conn.execute(select(t.subscriptions).where(s.chat_id == old_id))
            ).all():
                if (sub.thread_id, sub.topic) not in have:
                    await conn.execute(
                        update(t.subscriptions).where(s.id == sub.id).values(chat_id=new_id)
                    )
            await conn.execute(
                update(t.deliveries)
                .where(d.chat_id == old_id, d.state == "pending")
                .values(chat_id=new_id)
            )
            await conn.execute(
                update(t.chats)
                .where(c.id == old_id)
                .values(active=False, deactivated_reason=f"migrated to {new_id}")
            )

    async def subscribe(
        self, chat_id: int, topic_ids: Iterable[str], *, now: datetime, thread_id: int = 0
    ) -> list[str]:
        """Subscribe a destination to topics; return those that were new."""
        query = (
            self._insert(t.subscriptions)
            .on_conflict_do_nothing()
            .returning(t.subscriptions.c.topic)
        )
        async with self.transaction() as conn:
            rows = [
                (
                    await conn.execute(
                        query,
                        {
                            "chat_id": chat_id,
                            "thread_id": thread_id,
                            "topic": topic,
                            "created_at": now,
                        },
                    )
                ).first()
                for topic in topic_ids
            ]
        return [row.topic for row in rows if row is not None]

    async def unsubscribe(
        self, chat_id: int, topic_ids: Iterable[str], *, thread_id: int = 0
    ) -> int:
        """Remove subscriptions; return how many there were."""
        async with self.transaction() as conn:
            result = await conn.execute(
                delete(t.subscriptions).where(
                    t.subscriptions.c.chat_id == chat_id,
                    t.subscriptions.c.thread_id == thread_id,
                    t.subscriptions.c.topic.in_(list(topic_ids)),
                )
            )
        return result.rowcount

    async def subscriptions(self, chat_id: int, *, thread_id: int = 0) -> list[str]:
        """The topics a destination is subscribed to."""
        query = select(t.subscriptions.c.topic).where(
            t.subscriptions.c.chat_id == chat_id, t.subscriptions.c.thread_id == thread_id
        )
        async with self.engine.connect() as conn:
            return sorted((await conn.execute(query)).scalars())

    # Admin

    async def admin_ids(self) -> set[int]:
        """User ids added as admins from chat (ADMIN_IDS come from the settings)."""
        async with self.engine.connect() as conn:
            return set((await conn.execute(select(t.admins.c.user_id))).scalars())

    async def add_admin(self, user_id: int, *, added_by: int | None, now: datetime) -> bool:
        """Make a user an admin; False if they already were."""
        query = (
            self._insert(t.admins)
            .values(user_id=user_id, added_by=added_by, added_at=now)
            .on_conflict_do_nothing()
        )
        async with self.transaction() as conn:
            return (await conn.execute(query)).rowcount > 0

    async def remove_admin(self, user_id: int) -> bool:
        """Remove an admin added from chat; False if there was none."""
        async with self.transaction() as conn:
            result = await conn.execute(delete(t.admins).where(t.admins.c.user_id == user_id))
        return result.rowcount > 0

    async def chat_language(self, chat_id: int) -> str | None:
        """The language a known chat reads, or None for a chat Marsad has not seen."""
        query = select(t.chats.c.language).where(t.chats.c.id == chat_id)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar()

    async def feed_by_url(self, url: str) -> Feed | None:
        """One feed by its URL."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.feeds).where(t.feeds.c.url == url))).first()
        return _feed(row) if row else None

    async def feed_health(self, *, since: datetime) -> list[FeedHealth]:
        """Every feed with its health counters and its articles published since `since`."""
        a = t.articles.c
        recent = (
            select(func.count())
            .where(a.feed_id == t.feeds.c.id, a.published >= since)
            .scalar_subquery()
            .label("recent_articles")
        )
        query = select(t.feeds, recent).order_by(t.feeds.c.id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_health(row) for row in rows]

    async def unflagged_failing_feeds(self, *, failing_before: datetime) -> list[FeedHealth]:
        """Feeds failing since before a time that admins have not been told about."""
        f = t.feeds.c
        query = (
            select(t.feeds, literal(0).label("recent_articles"))
            # A flag older than the failing spell belongs to an earlier one.
            .where(
                f.failing_since <= failing_before,
                or_(f.flagged_at.is_(None), f.flagged_at < f.failing_since),
            )
            .order_by(f.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_health(row) for row in rows]

    async def flag_feeds(self, feed_ids: Iterable[int], *, now: datetime) -> None:
        """Remember that admins were told these feeds keep failing."""
        ids = list(feed_ids)
        if ids:
            async with self.transaction() as conn:
                query = update(t.feeds).where(t.feeds.c.id.in_(ids)).values(flagged_at=now)
                await conn.execute(query)

    async def destinations(self) -> list[Destination]:
        """Groups and channels with subscriptions, with their topics."""
        c, s = t.chats.c, t.subscriptions.c
        query = (
            select(c.id, c.kind, c.title, c.active, s.topic)
            .join(t.subscriptions, s.chat_id == c.id)
            .where(c.kind.in_(["group", "supergroup", "channel"]))
            .order_by(c.id, s.topic)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        found: dict[int, Destination] = {}
        for row in rows:
            known = found.get(row.id)
            topics = (*known.topics, row.topic) if known else (row.topic,)
            found[row.id] = Destination(row.id, row.kind, row.title, row.active, topics)
        return list(found.values())

    async def article_by_url(self, url: str) -> Article | None:
        """A stored article by its canonical URL, with its topics."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.articles).where(t.articles.c.url == url))).first()
            if row is None:
                return None
            topics = await self._topics_of(conn, {row.id})
        return _stored_article(row, topics.get(row.id, ()))

    async def articles_fetched_since(self, since: datetime, *, limit: int = 5000) -> list[Article]:
        """Articles stored since a time, oldest first, with their topics."""
        a = t.articles.c
        query = select(t.articles).where(a.fetched_at >= since).order_by(a.id).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
            topics = await self._topics_of(conn, {row.id for row in rows})
        return [_stored_article(row, topics.get(row.id, ())) for row in rows]

    async def replace_article_topics(
        self,
        article_id: int,
        matches: Sequence[TopicMatch],
        *,
        now: datetime,
        alert_topics: Iterable[str] = (),
    ) -> int:
        """Store an article's new topics; alert subscribers of alert_topics; return alerts."""
        async with self.transaction() as conn:
            return await self._replace_topics(conn, article_id, matches, now, alert_topics)

    async def complete_article(
        self, article_id: int, article: NewArticle, *, now: datetime, alert: bool
    ) -> int:
        """Store the text an article's page gave, its search text and topics; return alerts.

        An article that alerted also alerts subscribers of the topics its page added (chats
        that had it already are skipped). An article deleted meanwhile is left alone.
        """
        a, at = t.articles.c, t.article_topics.c
        values = {
            "text": article.entry.text,
            "norm_text": article.norm_text,  # the search index follows (trigger or generated)
            "language": article.language,
        }
        async with self.transaction() as conn:
            result = await conn.execute(update(t.articles).where(a.id == article_id).values(values))
            if result.rowcount == 0:
                return 0
            query = select(at.topic).where(at.article_id == article_id)
            old = set((await conn.execute(query)).scalars())
            gained = sorted({m.topic for m in article.topics} - old) if alert else []
            return await self._replace_topics(conn, article_id, article.topics, now, gained)

    async def _replace_topics(
        self,
        conn: AsyncConnection,
        article_id: int,
        matches: Sequence[TopicMatch],
        now: datetime,
        alert_topics: Iterable[str],
    ) -> int:
        """replace_article_topics inside a transaction."""
        rows = [_topic_row(article_id, match) for match in matches]
        wanted = list(alert_topics)
        await conn.execute(
            delete(t.article_topics).where(t.article_topics.c.article_id == article_id)
        )
        if rows:
            await conn.execute(t.article_topics.insert(), rows)
        if not wanted:
            return 0
        subs = await _subscribers(conn, wanted)
        deliveries = _delivery_rows([(article_id, set(wanted))], subs, now)
        if not deliveries:
            return 0
        # The unique key skips chats that already had this article; RETURNING counts
        # what was new on both databases (executemany rowcounts differ between drivers).
        query = self._insert(t.deliveries).on_conflict_do_nothing().returning(t.deliveries.c.id)
        return len((await conn.execute(query, deliveries)).all())

    async def topic_row(self, topic_id: str) -> TopicRecord | None:
        """A topic's stored definition, whether it is built in, and whether it is enabled."""
        query = select(t.topics).where(t.topics.c.id == topic_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return TopicRecord(json.loads(row.definition), row.builtin, row.enabled) if row else None

    async def topic_ids(self) -> dict[str, TopicFlags]:
        """Every stored topic id with whether it is built in and enabled."""
        query = select(t.topics.c.id, t.topics.c.builtin, t.topics.c.enabled)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(t.topics.c.id))).all()
        return {row.id: TopicFlags(row.builtin, row.enabled) for row in rows}

    async def save_topic(
        self, definition: Mapping[str, Any], *, enabled: bool, now: datetime
    ) -> None:
        """Create or replace an admin's topic (a built-in one stays built in)."""
        text = json.dumps(definition, ensure_ascii=False)
        query = (
            self._insert(t.topics)
            .values(
                id=definition["id"],
                definition=text,
                builtin=False,
                enabled=enabled,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=[t.topics.c.id],
                set_={"definition": text, "enabled": enabled, "updated_at": now},
            )
        )
        async with self.transaction() as conn:
            await conn.execute(query)

    async def delete_topic(self, topic_id: str) -> bool:
        """Delete an admin's topic and its subscriptions; built-ins are only disabled."""
        async with self.transaction() as conn:
            result = await conn.execute(
                delete(t.topics).where(t.topics.c.id == topic_id, t.topics.c.builtin.is_(False))
            )
            if result.rowcount:
                await conn.execute(
                    delete(t.subscriptions).where(t.subscriptions.c.topic == topic_id)
                )
        return result.rowcount > 0

    # Chat settings and search (journalists)

    async def search(
        self, query: SearchQuery, *, now: datetime, offset: int = 0, limit: int = 5
    ) -> SearchPage:
        """Full-text search over stored articles (see bot.storage.search)."""
        return await Searcher(self.engine).search(query, now=now, offset=offset, limit=limit)

    async def chat_settings(self, chat_id: int) -> ChatSettings | None:
        """A chat's alert settings, or None for a chat Marsad does not know."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.chats).where(t.chats.c.id == chat_id))).first()
        return _chat_settings(row) if row else None

    async def update_chat_settings(self, chat_id: int, **values: Any) -> None:
        """Change some of a known chat's settings (columns of the chats table)."""
        unknown = set(values) - CHAT_SETTINGS
        if unknown:
            raise ValueError(f"not chat settings: {', '.join(sorted(unknown))}")
        async with self.transaction() as conn:
            await conn.execute(update(t.chats).where(t.chats.c.id == chat_id).values(**values))

    async def held_chats(self) -> list[ChatSettings]:
        """Active chats whose alerts wait for a digest or the end of a mute."""
        c = t.chats.c
        query = select(t.chats).where(c.active, or_(c.digest != "off", c.muted_until.is_not(None)))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(c.id))).all()
        return [_chat_settings(row) for row in rows]

    async def delivered_articles(self, chat_id: int, message_id: int) -> list[DeliveredArticle]:
        """The articles a message sent to a chat carried: one, or a digest's."""
        d, a = t.deliveries.c, t.articles.c
        query = (
            select(a.id, a.title)
            .join(t.deliveries, d.article_id == a.id)
            .where(d.chat_id == chat_id, d.message_id == message_id)
            .order_by(d.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
            topics = await self._topics_of(conn, {row.id for row in rows})
        return [DeliveredArticle(row.id, row.title, topics.get(row.id, ())) for row in rows]

    # Oversight

    async def stats(self, *, since: datetime | None = None) -> StoreStats:
        """Counts for `python -m bot stats` and /stats."""
        d = t.deliveries.c

        def count_deliveries(state: str) -> Any:
            return select(func.count()).where(d.state == state).scalar_subquery()

        query = select(
            select(func.count()).select_from(t.feeds).scalar_subquery().label("feeds"),
            select(func.count()).where(t.feeds.c.active).scalar_subquery().label("feeds_active"),
            select(func.count())
            .where(t.feeds.c.error_streak > 0)
            .scalar_subquery()
            .label("feeds_failing"),
            select(func.count()).select_from(t.articles).scalar_subquery().label("articles"),
            count_deliveries("pending").label("alerts_pending"),
            count_deliveries("sent").label("alerts_sent"),
            count_deliveries("failed").label("alerts_failed"),
            select(func.count()).select_from(t.chats).scalar_subquery().label("chats"),
            select(func.count())
            .select_from(t.subscriptions)
            .scalar_subquery()
            .label("subscriptions"),
        )
        if since is not None:  # /stats: what happened today
            query = query.add_columns(
                select(func.count())
                .where(t.articles.c.fetched_at >= since)
                .scalar_subquery()
                .label("articles_since"),
                select(func.count())
                .where(d.state == "sent", d.sent_at >= since)
                .scalar_subquery()
                .label("alerts_sent_since"),
            )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).one()
        return StoreStats(**{key: int(value) for key, value in row._mapping.items()})

    async def audit(
        self,
        action: str,
        *,
        now: datetime,
        actor_id: int | None = None,
        target: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Append one change to the audit log."""
        async with self.transaction() as conn:
            await conn.execute(
                t.audit_log.insert().values(
                    at=now,
                    actor_id=actor_id,
                    action=action,
                    target=target,
                    before=None if before is None else json.dumps(before, ensure_ascii=False),
                    after=None if after is None else json.dumps(after, ensure_ascii=False),
                )
            )

    async def untold_catch_ups(self) -> list[CatchUp]:
        """Feed catch-ups admins have not been told about, oldest first, with their counts."""
        a = t.audit_log.c
        told = select(func.max(cast(a.target, Integer))).where(a.action == CATCH_UP_TOLD)
        query = (
            select(a.id, a.at, a.after)
            .where(a.action == CATCH_UP, a.id > func.coalesce(told.scalar_subquery(), 0))
            .order_by(a.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_catch_up(row) for row in rows]

    async def mark_catch_ups_told(self, through: int, *, now: datetime) -> None:
        """Record that admins were told of every catch-up up to an audit id."""
        await self.audit(CATCH_UP_TOLD, now=now, target=str(through))

    async def audit_entries(self, limit: int = 20) -> list[AuditEntry]:
        """The newest audit entries first."""
        query = select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            AuditEntry(row.id, row.at, row.actor_id, row.action, row.target, row.before, row.after)
            for row in rows
        ]

    # Heartbeats

    async def record_heartbeat(self, beat: Heartbeat) -> None:
        """Replace one loop's heartbeat for one instance."""
        query = self._insert(t.heartbeats).values(
            loop=beat.loop, instance=beat.instance, at=beat.at, detail=beat.detail
        )
        query = query.on_conflict_do_update(
            index_elements=[t.heartbeats.c.loop, t.heartbeats.c.instance],
            set_={"at": query.excluded.at, "detail": query.excluded.detail},
        )
        async with self.transaction() as conn:
            await conn.execute(query)

    async def latest_heartbeats(self, *, instance_prefix: str = "") -> dict[str, Heartbeat]:
        """The newest heartbeat of each loop among instances whose name starts with the prefix."""
        instance = t.heartbeats.c.instance
        query = select(t.heartbeats).order_by(t.heartbeats.c.at)
        if instance_prefix:
            query = query.where(instance.startswith(instance_prefix, autoescape=True))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        # Oldest first, so each loop keeps its newest row.
        return {row.loop: Heartbeat(row.loop, row.instance, row.at, row.detail) for row in rows}


def _topic_row(article_id: int, match: TopicMatch) -> dict[str, Any]:
    """An article_topics row: the topic with its score and evidence."""
    return {
        "article_id": article_id,
        "topic": match.topic,
        "score": match.score,
        "evidence": json.dumps(match.evidence, ensure_ascii=False),
    }


async def _seen_rows(conn: AsyncConnection, pairs: Sequence[tuple[int, Entry]]) -> list[Any]:
    """Stored articles sharing a key with these (feed, entry) pairs, labelled by key kind."""
    by_feed: dict[int, list[str]] = {}
    for feed_id, entry in pairs:
        by_feed.setdefault(feed_id, []).append(entry.key)
    entries = [entry for _, entry in pairs]
    a = t.articles.c
    oldest = min(entry.published for entry in entries) - TITLE_DUPLICATE_WINDOW
    # The three kinds of key, told apart by a label column.
    query = union_all(
        select(
            literal("key").label("kind"), a.feed_id, a.entry_key.label("value"), a.published
        ).where(or_(*(and_(a.feed_id == f, a.entry_key.in_(keys)) for f, keys in by_feed.items()))),
        select(literal("url"), a.feed_id, a.url, a.published).where(
            a.url.in_([e.url for e in entries])
        ),
        select(literal("title"), a.feed_id, a.title_hash, a.published).where(
            a.title_hash.in_([e.title_hash for e in entries]), a.published >= oldest
        ),
    )
    return list((await conn.execute(query)).all())


class _Seen:
    """The keys the database (and entries admitted so far) hold, for telling what is new."""

    def __init__(self, rows: Iterable[Any]) -> None:
        """Sort loaded rows by the kind of key they carry."""
        self.keys: set[tuple[int, str]] = set()
        self.urls: set[str] = set()
        self.titles: dict[str, list[datetime]] = {}
        for row in rows:
            if row.kind == "key":
                self.keys.add((row.feed_id, row.value))
            elif row.kind == "url":
                self.urls.add(row.value)
            else:
                self.titles.setdefault(row.value, []).append(row.published)

    @classmethod
    async def load(
        cls, conn: AsyncConnection, groups: Sequence[tuple[int, Sequence[Entry]]]
    ) -> _Seen:
        """What the database holds under any key of these feeds' entries.

        One query per SEEN_CHUNK entries: each entry binds three parameters, and both
        databases cap a statement's parameters (a hostile feed can list 100,000 items).
        """
        pairs = [(feed_id, entry) for feed_id, group in groups for entry in group]
        rows: list[Any] = []
        for start in range(0, len(pairs), SEEN_CHUNK):
            rows += await _seen_rows(conn, pairs[start : start + SEEN_CHUNK])
        return cls(rows)

    def admit(self, feed_id: int, entry: Entry) -> bool:
        """Whether an entry is new; a new one is remembered, so a repeat in a batch is not."""
        if (feed_id, entry.key) in self.keys or entry.url in self.urls:
            return False
        if self._same_title(entry):
            return False
        self.keys.add((feed_id, entry.key))
        self.urls.add(entry.url)
        if len(entry.title) >= TITLE_DUPLICATE_MIN_CHARS and entry.title_hash:
            self.titles.setdefault(entry.title_hash, []).append(entry.published)
        return True

    def _same_title(self, entry: Entry) -> bool:
        """Whether a long-enough title was seen within the duplicate window of this entry."""
        if len(entry.title) < TITLE_DUPLICATE_MIN_CHARS or not entry.title_hash:
            return False
        published = entry.published
        return any(
            abs(other - published) <= TITLE_DUPLICATE_WINDOW
            for other in self.titles.get(entry.title_hash, ())
        )


def _catch_up(row: Any) -> CatchUp:
    """A CatchUp from a catch-up's audit row (its counts are the entry's JSON)."""
    counts = json.loads(row.after)
    return CatchUp(row.id, row.at, counts["feed"], counts["name"], counts["new"], counts["alerted"])


def _alert(row: Any, topics: tuple[TopicMatch, ...]) -> Alert:
    """An Alert from a pending_alerts row."""
    article = replace(_stored_article(row, topics), feed_title=row.feed_title or row.feed_url)
    return Alert(
        delivery_id=row.delivery_id,
        chat_id=row.chat_id,
        article=article,
        thread_id=row.thread_id or None,
        language=row.chat_language,
        timezone=row.chat_timezone,
        show_why=row.show_why,
    )


# What update_chat_settings may change.
CHAT_SETTINGS = frozenset(
    {
        "language",
        "language_fixed",
        "timezone",
        "digest",
        "digest_at",
        "last_digest_at",
        "muted_until",
        "show_why",
    }
)


def _chat_settings(row: Any) -> ChatSettings:
    """ChatSettings from a chats row."""
    return ChatSettings(
        chat_id=row.id,
        kind=row.kind,
        language=row.language,
        language_fixed=row.language_fixed,
        timezone=row.timezone,
        digest=row.digest,
        digest_at=row.digest_at,
        last_digest_at=row.last_digest_at,
        muted_until=row.muted_until,
        show_why=row.show_why,
        active=row.active,
    )


def _is_catch_up(write: _Write, stored: Sequence[tuple[int, NewArticle]]) -> bool:
    """Whether an alerting poll stored more new articles than its cap."""
    return write.alert is True and write.cap is not None and len(stored) > write.cap


def _alert_limit(write: _Write, catch_up: bool) -> bool | int:
    """What alerts: the caller's choice, or only the newest `cap` in a catch-up."""
    return write.cap if catch_up and write.cap is not None else write.alert


def _alerting(
    stored: Sequence[tuple[int, NewArticle]], alert: bool | int
) -> list[tuple[int, NewArticle]]:
    """The stored articles that alert: all, none, or the newest `alert` of them."""
    if alert is True:
        return list(stored)
    if alert is False or alert <= 0:
        return []
    newest = sorted(stored, key=lambda pair: pair[1].entry.published, reverse=True)
    return newest[:alert]


async def _subscribers(conn: AsyncConnection, topics: Iterable[str]) -> Sequence[Any]:
    """(chat_id, thread_id, topic) of active chats' subscriptions to these topics."""
    s = t.subscriptions.c
    query = (
        select(s.chat_id, s.thread_id, s.topic)
        .join(t.chats, t.chats.c.id == s.chat_id)
        .where(t.chats.c.active, s.topic.in_(list(topics)))
    )
    return (await conn.execute(query)).all()


def _delivery_rows(
    alerting: Sequence[tuple[int, set[str]]], subs: Sequence[Any], now: datetime
) -> list[dict[str, Any]]:
    """One outbox row per (article, destination) subscribed to one of the article's topics."""
    rows: dict[tuple[int, int, int], dict[str, Any]] = {}
    for article_id, topics in alerting:
        for sub in subs:
            key = (article_id, sub.chat_id, sub.thread_id)
            if sub.topic in topics and key not in rows:
                rows[key] = {
                    "article_id": article_id,
                    "chat_id": sub.chat_id,
                    "thread_id": sub.thread_id,
                    "state": "pending",
                    "created_at": now,
                }
    return list(rows.values())


if TYPE_CHECKING:
    EveryProtocol = tuple[
        p.FeedStore,
        p.PollStore,
        p.ArticleStore,
        p.DeliveryStore,
        p.ChatStore,
        p.TopicStore,
        p.AdminStore,
        p.HealthStore,
        p.SendStore,
        p.AuditedFeedStore,
        p.AuditedTopicStore,
        p.CommandStore,
    ]

    def _satisfies_every_protocol(store: Store) -> EveryProtocol:
        """Never called: mypy proves here that Store is each protocol."""
        return (store, store, store, store, store, store, store, store, store, store, store, store)
