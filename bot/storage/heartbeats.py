"""Heartbeats: when each loop of each instance last made progress."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Heartbeat
from bot.storage import schema as t
from bot.storage.base import StoreBase


class HeartbeatTable(StoreBase):
    """One row per loop and instance."""

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
