"""Digests: alerts of chats in hourly or daily mode, and of chats whose mute ended, gathered
into one message per destination, grouped by topic, one line per story (bot.render's
render_grouped shape).

The send queue leaves those chats' alerts pending (Store.pending_alerts skips them); the
"digest" job (bot.jobs) calls `send_due_digests` every minute with the application's clock,
and tests call it directly with a clock they move. A slot is served once: `last_digest_at`
records it, so a restart or a second tick in the same minute sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.delivery.send import DrainReport, SendQueue
from bot.models import Alert, ChatSettings
from bot.render import StoryRef, render_grouped, zone
from bot.storage.protocols import StoryStore


def due_slot(chat: ChatSettings, now: datetime) -> datetime | None:
    """The latest digest time at or before now, in UTC; None when the chat takes no digests."""
    local = now.astimezone(zone(chat.timezone))
    if chat.digest == "hourly":
        slot = local.replace(minute=0, second=0, microsecond=0)
    elif chat.digest == "daily":
        hours, minutes = (int(part) for part in chat.digest_at.split(":"))
        slot = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
        if slot > local:
            slot -= timedelta(days=1)
    else:
        return None
    return slot.astimezone(UTC)


def is_due(chat: ChatSettings, now: datetime) -> bool:
    """Whether a digest slot has come that this chat has not been served."""
    slot = due_slot(chat, now)
    return slot is not None and (chat.last_digest_at is None or chat.last_digest_at < slot)


async def send_due_digests(queue: SendQueue, *, now: datetime) -> int:
    """Send every digest whose time has come, and what a finished mute held; return messages."""
    store = queue.store
    sent = 0
    for chat in await store.held_chats():
        if chat.muted_until is not None and chat.muted_until > now:
            continue
        mute_ended = chat.muted_until is not None
        due = is_due(chat, now)
        if not due and not (mute_ended and chat.digest == "off"):
            if mute_ended:
                await store.update_chat_settings(chat.chat_id, muted_until=None)
            continue
        count, complete = await _send_chat_digest(queue, chat, now)
        sent += count
        if not complete:
            continue  # left pending: the next tick tries again
        if mute_ended:
            await store.update_chat_settings(chat.chat_id, muted_until=None)
        if due:
            await store.update_chat_settings(chat.chat_id, last_digest_at=now)
    return sent


async def story_refs(store: StoryStore, alerts: Sequence[Alert]) -> dict[int, StoryRef]:
    """The story of each alerted article that has one, with its outlet count."""
    story_of = await store.story_ids(alert.article.id for alert in alerts)
    refs: dict[int, StoryRef] = {}
    for story_id in set(story_of.values()):
        story = await store.story(story_id)
        if story is not None:
            refs[story_id] = StoryRef(story.id, story.outlets)
    return {article: refs[story] for article, story in story_of.items() if story in refs}


async def _send_chat_digest(
    queue: SendQueue, chat: ChatSettings, now: datetime
) -> tuple[int, bool]:
    """Send one chat's pending alerts as digests, per forum thread; (messages, all done)."""
    store = queue.store
    alerts = await store.pending_alerts(chat_id=chat.chat_id, limit=5000)
    threads: dict[int, list[Alert]] = {}
    for alert in alerts:
        threads.setdefault(alert.thread_id or 0, []).append(alert)
    report = DrainReport()
    for thread, members in threads.items():
        followed = frozenset(await store.subscriptions(chat.chat_id, thread_id=thread))
        stories = await story_refs(store, members)
        messages = render_grouped(members, chat, now, queue.topics, followed, stories)
        # The queue's own sending: its pacing, retries, migrations and deactivations.
        if not await queue.serve((chat.chat_id, thread), messages, report):
            return report.messages, False
    return report.messages, True
