"""Digests: alerts of chats in hourly or daily mode, and of chats whose mute ended, gathered
into one message per destination, grouped by topic.

The send queue leaves those chats' alerts pending (Store.pending_alerts skips them); the
"digest" job (bot.jobs) calls `send_due_digests` every minute with the application's clock,
and tests call it directly with a clock they move. A slot is served once: `last_digest_at`
records it, so a restart or a second tick in the same minute sends nothing twice.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from bot.delivery.render import (
    LABELS,
    MAX_MESSAGE,
    digest_line,
    hashtag,
    isolate,
    local_time,
    visible_len,
    zone,
)
from bot.delivery.send import DrainReport, Message, SendQueue, digest_item
from bot.models import Alert, ChatSettings

MAX_ITEMS_PER_MESSAGE = 30  # each line is one link entity; Telegram keeps 100 per message
MESSAGE_BUDGET = MAX_MESSAGE - 200  # room for the header

TopicName = Callable[[str, str], str]  # (topic id, language) -> name


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


def render_grouped(
    alerts: Sequence[Alert],
    chat: ChatSettings,
    now: datetime,
    topic_name: TopicName,
    followed: frozenset[str] = frozenset(),
) -> list[Message]:
    """The digest as messages: a header, then each topic's headlines under its name.

    An article goes under its strongest topic that the destination follows (`followed`),
    else under its strongest topic.
    """
    language = chat.language if chat.language in LABELS else "en"
    stamp = isolate(local_time(now, chat.timezone, language), rtl=language == "ar")
    header = f"🗞 <b>{LABELS[language]['digest']}</b> · {html.escape(stamp)}"
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        topics = [m.topic for m in alert.article.topics]  # strongest first
        chosen = next((t for t in topics if t in followed), topics[0] if topics else "")
        groups.setdefault(chosen, []).append(alert)
    messages: list[Message] = []
    lines: list[str] = [header]
    ids: list[int] = []
    for topic, members in groups.items():
        title = _section_title(topic, language, len(members), topic_name)
        lines += ["", title]
        for alert in members:
            line = digest_line(digest_item(alert))
            size = visible_len("\n".join([*lines, line]))
            if len(ids) >= MAX_ITEMS_PER_MESSAGE or size > MESSAGE_BUDGET:
                messages.append(Message("\n".join(lines), tuple(ids)))
                lines, ids = [header, "", title], []
            lines.append(line)
            ids.append(alert.delivery_id)
    messages.append(Message("\n".join(lines), tuple(ids)))
    return messages


def _section_title(topic: str, language: str, count: int, topic_name: TopicName) -> str:
    """A topic's heading: its hashtag, its name and how many headlines follow."""
    if not topic:
        return f"<b>({count})</b>"
    tag = hashtag(topic, language)
    name = html.escape(topic_name(topic, language))
    return f"<b>{tag} {name}</b> ({count})" if tag else f"<b>{name}</b> ({count})"


async def send_due_digests(queue: SendQueue, *, now: datetime, topic_name: TopicName) -> int:
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
        count, complete = await _send_chat_digest(queue, chat, now, topic_name)
        sent += count
        if not complete:
            continue  # left pending: the next tick tries again
        if mute_ended:
            await store.update_chat_settings(chat.chat_id, muted_until=None)
        if due:
            await store.update_chat_settings(chat.chat_id, last_digest_at=now)
    return sent


async def _send_chat_digest(
    queue: SendQueue, chat: ChatSettings, now: datetime, topic_name: TopicName
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
        messages = render_grouped(members, chat, now, topic_name, followed)
        # The queue's own sending: its pacing, retries, migrations and deactivations.
        if not await queue.serve((chat.chat_id, thread), messages, report):
            return report.messages, False
    return report.messages, True
