"""Feeds: the registry admins manage, their polling state and health."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, literal, or_, select, update

from bot.feeds.netpolicy import mask_credentials
from bot.models import Feed, FeedHealth, FeedOptions
from bot.storage import schema as t
from bot.storage.base import StoreBase
from bot.storage.rows import feed_record, health_record

log = logging.getLogger(__name__)


class FeedTables(StoreBase):
    """Feeds: add, find, list, schedule, fail, pause, remove, report."""

    async def add_feed(self, url: str, *, title: str | None = None, now: datetime) -> Feed:
        """Add a feed, or return the existing one with that URL; it is due at once."""
        async with self.transaction() as conn:
            await conn.execute(
                self._insert(t.feeds)
                .values(url=url, title=title, created_at=now, next_check_at=now)
                .on_conflict_do_nothing()
            )
            row = (await conn.execute(select(t.feeds).where(t.feeds.c.url == url))).one()
        return feed_record(row)

    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by id."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.feeds).where(t.feeds.c.id == feed_id))).first()
        return feed_record(row) if row else None

    async def feed_by_url(self, url: str) -> Feed | None:
        """One feed by its URL."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.feeds).where(t.feeds.c.url == url))).first()
        return feed_record(row) if row else None

    async def list_feeds(self) -> list[Feed]:
        """Every feed, oldest first."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(t.feeds).order_by(t.feeds.c.id))).all()
        return [feed_record(row) for row in rows]

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
        return [feed_record(row) for row in rows]

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
                shown = mask_credentials(feed.url)
                log.warning("feed %d paused: %s (%s)", feed.id, shown, reason)
                return replace(feed_record(row), active=False)
        return feed_record(row)

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
        return [health_record(row) for row in rows]

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
        return [health_record(row) for row in rows]

    async def flag_feeds(self, feed_ids: Iterable[int], *, now: datetime) -> None:
        """Remember that admins were told these feeds keep failing."""
        ids = list(feed_ids)
        if ids:
            async with self.transaction() as conn:
                query = update(t.feeds).where(t.feeds.c.id.in_(ids)).values(flagged_at=now)
                await conn.execute(query)
