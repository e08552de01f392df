"""Admins added from chat, the audit log, catch-up notices and the counts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, delete, func, select

from bot.models import AuditEntry, CatchUp, StoreStats
from bot.storage import schema as t
from bot.storage.base import StoreBase
from bot.storage.rows import catch_up_record

# Audit actions of a feed's catch-up (more new items than the cap in one poll), and of
# admins having been told about those up to an audit id (kept in the entry's target).
CATCH_UP = "feed.catch_up"
CATCH_UP_TOLD = "feed.catch_up.told"


class AdminTables(StoreBase):
    """Admins, the audit log and the counts."""

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

    async def audit_entries(self, limit: int = 20) -> list[AuditEntry]:
        """The newest audit entries first."""
        query = select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            AuditEntry(row.id, row.at, row.actor_id, row.action, row.target, row.before, row.after)
            for row in rows
        ]

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
        return [catch_up_record(row) for row in rows]

    async def mark_catch_ups_told(self, through: int, *, now: datetime) -> None:
        """Record that admins were told of every catch-up up to an audit id."""
        await self.audit(CATCH_UP_TOLD, now=now, target=str(through))

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
