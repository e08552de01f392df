"""A poll's writes: new articles, their topics and deliveries, group-committed."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot import storythreads
from bot.feeds.netpolicy import mask_credentials
from bot.models import Entry, Feed, NewArticle, PollSuccess, StoredBatch, StoryProgress
from bot.storage import schema as t
from bot.storage.admin import CATCH_UP
from bot.storage.base import StoreBase
from bot.storage.rows import topic_values
from bot.storage.seen import Seen
from bot.storage.threads import StoryOptions, StoryThreads, queue_rows, thread_all

log = logging.getLogger(__name__)

# The most add_articles calls one group commit writes; it bounds the transaction's size.
MAX_BATCH = 64


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


class PollWrites(StoreBase):
    """What a poll stores: new articles once each, and the fetch's outcome."""

    def __init__(self, engine: AsyncEngine, *, stories: StoryOptions | None = None) -> None:
        """Start with no write waiting; stories are threaded as `stories` says."""
        super().__init__(engine)
        self._batch_lock = asyncio.Lock()  # one group commit of add_articles at a time
        self._writes: list[_Write] = []
        self._threads = StoryThreads(stories or StoryOptions())

    async def thread_stories(self, *, now: datetime) -> StoryProgress:
        """Decide the stories of the stored articles waiting for one (see bot.storage.threads).

        The first call also builds the threader from the database (at start, so the first
        poll does not wait for it).
        """
        return await thread_all(self._threads, self, now)

    async def close(self) -> None:
        """Release every connection, and the threader if it lives in this process."""
        storythreads.forget(self._threads.token)
        await super().close()

    async def filter_new(self, feed: Feed, entries: Sequence[Entry]) -> list[Entry]:
        """The entries the database has not seen under any of their keys, nor listed earlier."""
        if not entries:
            return []
        async with self.engine.connect() as conn:
            seen = await Seen.load(conn, [(feed.id, entries)])
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

    async def record_poll(self, feed: Feed, success: PollSuccess) -> None:
        """Record a good fetch that stored nothing (unchanged, or no new entries)."""
        await self.add_articles(feed, (), now=success.now, alert=False, success=success)

    async def _move_feed(self, feed: Feed, new_url: str) -> None:
        """Follow a permanent redirect, unless another feed already has that URL."""
        try:
            async with self.transaction() as conn:
                query = update(t.feeds).where(t.feeds.c.id == feed.id).values(url=new_url)
                await conn.execute(query)
            log.info(
                "feed %d moved permanently: %s -> %s",
                feed.id,
                mask_credentials(feed.url),
                mask_credentials(new_url),
            )
        except IntegrityError:
            shown = mask_credentials(new_url)
            log.warning("feed %d redirects to %s, which is already a feed", feed.id, shown)

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
                seen = await Seen.load(
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
                # Alerts wait for the story decision (bot.storage.storyalerts).
                await self._queue_stories(conn, stored, alerting)
                counts = [sum(1 for _, item in pairs if item.topics) for pairs in alerting]
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

    async def _queue_stories(
        self,
        conn: AsyncConnection,
        stored: list[list[tuple[int, NewArticle]]],
        alerting: list[list[tuple[int, NewArticle]]],
    ) -> None:
        """Queue the stored articles for their stories (thread_stories decides them and
        their alerts), each with whether it may alert."""
        may_alert = {article_id for pairs in alerting for article_id, _ in pairs}
        rows = queue_rows([article_id for pairs in stored for article_id, _ in pairs], may_alert)
        if rows:
            await conn.execute(t.story_queue.insert(), rows)

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
                mask_credentials(w.feed.url),
                len(pairs),
                w.cap,
            )
            name = w.feed.title or mask_credentials(w.feed.url)
            counts = {"feed": w.feed.id, "name": name, "new": len(pairs)}
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
            topic_values(article_id, match) for article_id, item in stored for match in item.topics
        ]
        if rows:
            await conn.execute(t.article_topics.insert(), rows)


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
