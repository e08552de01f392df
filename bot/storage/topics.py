"""Topic definitions: the built-in ones seeded from config, and admins' own."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from bot.models import TopicFlags, TopicRecord
from bot.storage import schema as t
from bot.storage.base import StoreBase


class TopicTables(StoreBase):
    """Stored topic definitions."""

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
