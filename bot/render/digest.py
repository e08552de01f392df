"""Digests: many alerts for one chat as few messages of linked headlines.

Two shapes: the burst digest the send queue sends when many alerts are due at once, and
the scheduled digest (hourly, daily, or what a mute held back) grouped by topic, one line
per story.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.delivery.summarise import truncate_words
from bot.models import Alert, ChatSettings, Message
from bot.render.alert import MAX_SOURCE
from bot.render.labels import TopicBook, hashtag, hashtag_line, labels, topic_name, ui_language
from bot.render.text import (
    MAX_MESSAGE,
    esc,
    flat,
    inline_field,
    is_rtl,
    isolate,
    link,
    local_time,
    visible_len,
)

MAX_DIGEST_TITLE = 300
DIGEST_ITEMS = 20  # per burst message: Telegram keeps at most 100 entities per message
GROUPED_ITEMS = 30  # per scheduled message: each line is one link entity, plus the headings
GROUPED_BUDGET = MAX_MESSAGE - 200  # room for the header


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One headline in a digest."""

    title: str
    url: str
    source: str = ""
    topics: Sequence[str] = field(default_factory=tuple)


def digest_item(alert: Alert) -> DigestItem:
    """A pending alert as a digest headline."""
    article = alert.article
    topics = tuple(match.topic for match in article.topics)
    return DigestItem(
        title=article.title, url=article.url, source=article.feed_title or "", topics=topics
    )


def digest_line(item: DigestItem) -> str:
    """One headline: linked, isolated, with its source."""
    title = truncate_words(flat(item.title), MAX_DIGEST_TITLE) or "…"
    rtl = is_rtl(title)
    line = f"• {link(item.url, esc(isolate(title, rtl=rtl)))}"
    source = truncate_words(flat(item.source), MAX_SOURCE)
    if source:
        line += f" — {esc(inline_field(source, rtl=rtl))}"
    return line


def _burst_header(
    language: str, topics: Sequence[str], part: int, parts: int, book: TopicBook
) -> str:
    counter = f" ({part}/{parts})" if parts > 1 else ""
    header = f"🗞 <b>{labels(language)['digest']}</b>{counter}"
    tags = hashtag_line(topics, language, book)
    return f"{header}\n{tags}" if tags else header


def render_digest(items: Sequence[DigestItem], language: str, book: TopicBook) -> list[str]:
    """Many alerts for one chat as one or more messages of linked headlines."""
    return [text for text, _ in render_digest_parts(items, language, book)]


def render_digest_parts(
    items: Sequence[DigestItem], language: str, book: TopicBook
) -> list[tuple[str, int]]:
    """render_digest's messages, each with how many of the items (in order) it holds."""
    lines = [digest_line(item) for item in items]
    topics = list(dict.fromkeys(t for item in items for t in item.topics))
    reserve = visible_len(_burst_header(language, topics, 999, 999, book)) + 2
    groups: list[list[str]] = []
    size = 0
    for line in lines:
        length = visible_len(line) + 1
        if not groups or len(groups[-1]) >= DIGEST_ITEMS or size + length + reserve > MAX_MESSAGE:
            groups.append([])
            size = 0
        groups[-1].append(line)
        size += length
    return [
        (
            "\n".join([_burst_header(language, topics, i, len(groups), book), "", *group]),
            len(group),
        )
        for i, group in enumerate(groups, start=1)
    ]


def burst_digest(alerts: Sequence[Alert], book: TopicBook, *, chunk: int) -> list[Message]:
    """Alerts due at once to one destination, `chunk` headlines at a time, as messages."""
    language = alerts[0].language if alerts else "en"
    messages: list[Message] = []
    for start in range(0, len(alerts), chunk):
        part = alerts[start : start + chunk]
        # A chunk too long for one message is split again: each part settles only
        # the deliveries whose headlines it shows.
        for text, count in render_digest_parts([digest_item(a) for a in part], language, book):
            messages.append(Message(text, tuple(a.delivery_id for a in part[:count])))
            part = part[count:]
    return messages


@dataclass(frozen=True, slots=True)
class StoryRef:
    """The story an alerted article belongs to, as a digest shows it."""

    story_id: int
    outlets: int  # how many outlets reported it so far


def render_grouped(
    alerts: Sequence[Alert],
    chat: ChatSettings,
    now: datetime,
    book: TopicBook,
    followed: frozenset[str] = frozenset(),
    stories: Mapping[int, StoryRef] | None = None,
) -> list[Message]:
    """The scheduled digest: a header, then each topic's stories under its name, one line
    per story (its first headline linked, "+N outlets" when others reported it too).

    A story goes under the strongest topic of its first alert that the destination follows
    (`followed`), else under that alert's strongest topic; `stories` maps article ids to
    their stories (an article without one is a story of its own). A line settles every
    alert of its story.
    """
    language = ui_language(chat.language)
    stamp = isolate(local_time(now, chat.timezone, language), rtl=language == "ar")
    header = f"🗞 <b>{labels(language)['digest']}</b> · {html.escape(stamp)}"
    groups = _story_groups(alerts, followed, stories or {})
    messages: list[Message] = []
    lines: list[str] = [header]
    ids: list[int] = []
    shown = 0
    for topic, members in groups.items():
        title = _section_title(topic, language, len(members), book)
        lines += ["", title]
        for outlets, story_alerts in members:
            line = digest_line(digest_item(story_alerts[0]))
            if outlets > 1:
                line += " " + labels(language)["more_outlets"].format(n=outlets - 1)
            size = visible_len("\n".join([*lines, line]))
            if shown >= GROUPED_ITEMS or size > GROUPED_BUDGET:
                messages.append(Message("\n".join(lines), tuple(ids)))
                lines, ids, shown = [header, "", title], [], 0
            lines.append(line)
            ids.extend(a.delivery_id for a in story_alerts)
            shown += 1
    messages.append(Message("\n".join(lines), tuple(ids)))
    return messages


def _story_groups(
    alerts: Sequence[Alert], followed: frozenset[str], stories: Mapping[int, StoryRef]
) -> dict[str, list[tuple[int, list[Alert]]]]:
    """Per topic, in order: each story's (outlets, its alerts, first first)."""
    groups: dict[str, list[tuple[int, list[Alert]]]] = {}
    seen: dict[int, list[Alert]] = {}
    for alert in sorted(alerts, key=lambda a: (a.article.published, a.delivery_id)):
        ref = stories.get(alert.article.id)
        key = ref.story_id if ref else alert.article.id  # a story's id is an article's
        if key in seen:
            seen[key].append(alert)
            continue
        topics = [m.topic for m in alert.article.topics]  # strongest first
        chosen = next((t for t in topics if t in followed), topics[0] if topics else "")
        seen[key] = [alert]
        groups.setdefault(chosen, []).append((ref.outlets if ref else 1, seen[key]))
    return groups


def _section_title(topic: str, language: str, count: int, book: TopicBook) -> str:
    """A topic's heading: its hashtag, its name and how many headlines follow."""
    if not topic:
        return f"<b>({count})</b>"
    tag = hashtag(topic, language, book)
    name = html.escape(topic_name(topic, language, book))
    return f"<b>{tag} {name}</b> ({count})" if tag else f"<b>{name}</b> ({count})"
