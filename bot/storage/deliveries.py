"""The outbox: pending deliveries and what became of each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from bot.models import Alert
from bot.storage import schema as t
from bot.storage.base import StoreBase
from bot.storage.rows import alert_columns, alert_record, topics_of


class DeliveryTables(StoreBase):
    """Pending alerts and their outcomes."""

    async def pending_alerts(self, *, limit: int = 500, chat_id: int | None = None) -> list[Alert]:
        """Pending deliveries to active chats, oldest first, with their articles.

        Without chat_id: those sent one by one (chats taking digests, and muted chats, wait
        for bot.digest). With chat_id: everything pending for that chat.
        """
        d, a, c = t.deliveries.c, t.articles.c, t.chats.c
        query = (
            select(*alert_columns())
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
            topics = await topics_of(conn, {row.id for row in rows})
        return [alert_record(row, topics.get(row.id, ())) for row in rows]

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
