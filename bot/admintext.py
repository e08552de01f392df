"""Telegram HTML for admins: escaping, bidi isolation, times, chunking, and the reports
that jobs send them (feeds failing for days, catch-ups), in every UI language.

Admin handlers reply with these helpers (through handlers.admin_common); the jobs in
bot.jobs build their reports here, so the job layer needs nothing of the handlers.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.delivery.render import FSI, PDI
from bot.feeds.netpolicy import mask_credentials
from bot.models import CatchUp, Feed, FeedHealth

# Telegram allows 4096 UTF-16 units after entity parsing; the HTML source is an upper bound.
MESSAGE_BUDGET = 3800

# The reports' texts, Arabic first; the languages are handlers.texts.LANGUAGES (tested).
REPORT_TEXTS: dict[str, dict[str, str]] = {
    "ar": {
        "failing_report": "<b>مصادر متعثرة منذ أيام</b>",
        "failing_line": "🔴 <b>{id}</b> {name} — منذ {since}: {error}",
        "catch_up_report": "<b>مصادر نشرت دفعة كبيرة من الأخبار الجديدة</b>",
        "catch_up_line": "🟠 <b>{id}</b> {name} — {when}: {new} خبراً جديداً، نُبّه بأحدث {alerted}",
    },
    "en": {
        "failing_report": "<b>Feeds failing for days</b>",
        "failing_line": "🔴 <b>{id}</b> {name} — since {since}: {error}",
        "catch_up_report": "<b>Feeds that listed a burst of new items</b>",
        "catch_up_line": (
            "🟠 <b>{id}</b> {name} — {when}: {new} new items, only the newest {alerted} alerted"
        ),
    },
}


def esc(text: object) -> str:
    """Text escaped for Telegram HTML."""
    return html.escape(str(text), quote=False)


def isolated(text: object) -> str:
    """Escaped text isolated, so a URL or a Latin name cannot reorder an Arabic line."""
    return f"{FSI}{esc(text)}{PDI}"


def when(moment: datetime | None) -> str:
    """A UTC time as admins read it, or a dash."""
    if moment is None:
        return "—"
    return f"{FSI}{moment:%Y-%m-%d %H:%M} UTC{PDI}"


def shorten(text: str, limit: int) -> str:
    """Text cut to a limit with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def feed_name(feed: Feed) -> str:
    """A feed's title, else its URL (password masked), isolated and escaped."""
    return isolated(feed.title or mask_credentials(feed.url))


def chunks(blocks: Iterable[str], budget: int = MESSAGE_BUDGET) -> list[str]:
    """Join blocks (already valid HTML each) into as few messages as fit the budget."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > budget:  # one huge block: cut on its line breaks
            for line in block.split("\n"):
                messages, current = _append(messages, current, line[:budget], budget)
            continue
        messages, current = _append(messages, current, block, budget)
    if current:
        messages.append(current)
    return messages


def _append(messages: list[str], current: str, block: str, budget: int) -> tuple[list[str], str]:
    """Add a block to the current message, starting a new one when it would not fit."""
    if current and len(current) + 1 + len(block) > budget:
        messages.append(current)
        current = ""
    return messages, f"{current}\n{block}" if current else block


def report_text(language: str, key: str, **values: str) -> str:
    """A report text in language (English when there is no such language), filled in."""
    return REPORT_TEXTS.get(language, REPORT_TEXTS["en"])[key].format(**values)


def failing_feeds_report(items: Sequence[FeedHealth], language: str) -> list[str]:
    """The failing-feeds report as messages: a heading, then one line per feed."""
    lines = [report_text(language, "failing_report")]
    lines += [
        report_text(
            language,
            "failing_line",
            id=str(health.feed.id),
            name=feed_name(health.feed),
            since=when(health.failing_since),
            error=esc(shorten(health.feed.last_error or "?", 200)),
        )
        for health in items
    ]
    return chunks(lines)


def catch_up_report(items: Sequence[CatchUp], language: str) -> list[str]:
    """The catch-up report as messages: a heading, then one line per catch-up."""
    lines = [report_text(language, "catch_up_report")]
    lines += [
        report_text(
            language,
            "catch_up_line",
            id=str(item.feed_id),
            name=isolated(mask_credentials(item.name)),
            when=when(item.at),
            new=str(item.new),
            alerted=str(item.alerted),
        )
        for item in items
    ]
    return chunks(lines)
