"""Chats, their settings and subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update

from bot.models import ChatSettings, Destination
from bot.storage import schema as t
from bot.storage.base import StoreBase
from bot.storage.rows import chat_settings_record

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
        "quiet",
        "breaking_outlets",
        "breaking_minutes",
    }
)


class ChatTables(StoreBase):
    """Chats and what they subscribe to."""

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

    async def chat_language(self, chat_id: int) -> str | None:
        """The language a known chat reads, or None for a chat Marsad has not seen."""
        query = select(t.chats.c.language).where(t.chats.c.id == chat_id)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar()

    async def chat_settings(self, chat_id: int) -> ChatSettings | None:
        """A chat's alert settings, or None for a chat Marsad does not know."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.chats).where(t.chats.c.id == chat_id))).first()
        return chat_settings_record(row) if row else None

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
        return [chat_settings_record(row) for row in rows]

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
