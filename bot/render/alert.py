"""The single alert: one article for one chat, as Telegram HTML within the message limit."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.delivery.summarise import truncate_words
from bot.models import Alert
from bot.render.labels import TopicBook, hashtag_line, labels
from bot.render.text import (
    MAX_MESSAGE,
    esc,
    flat,
    inline_field,
    isolate,
    local_time,
    safe_url,
    text_block,
    visible_len,
)

# Caps on each feed field, so that even hostile input leaves room for the summary.
MAX_TITLE = 512
MAX_SOURCE = 100
MAX_WHY = 300
EVIDENCE_TERMS = 5  # evidence terms shown per topic on the "why" line


@dataclass(frozen=True, slots=True)
class _Alert:
    """The fixed parts of an alert, already cut to size; the summary varies."""

    title: str
    url: str
    source: str
    when: str
    tags: str  # the hashtag line, already isolated
    language: str
    why: str

    def render(self, summary: str) -> str:
        """The message with this summary."""
        words, rtl = labels(self.language), self.language == "ar"
        lines = [self.tags] if self.tags else []
        lines.append(f"<b>{text_block(self.title or words['untitled'])}</b>")
        if summary:
            lines += ["", text_block(summary)]
        lines.append("")
        stamp = esc(isolate(self.when, rtl=rtl))
        if self.source:
            origin = esc(inline_field(self.source, rtl=rtl))
            lines.append(f"📰 {words['source']}: {origin} · {stamp}")
        else:
            lines.append(f"🕒 {stamp}")
        link = safe_url(self.url)
        if link:
            lines.append(f'🔗 <a href="{html.escape(link, quote=True)}">{words["link"]}</a>')
        if self.why:
            lines.append(f"🔎 {words['why']}: {esc(isolate(self.why, rtl=rtl))}")
        return "\n".join(lines)


def render_alert(
    *,
    title: str,
    summary: str,
    url: str,
    source: str,
    published: datetime,
    topics: Sequence[str],
    language: str,
    book: TopicBook,
    tz: str = "UTC",
    why: Sequence[str] | None = None,
) -> str:
    """One alert as Telegram HTML within 4096 UTF-16 units; the summary is cut first."""
    comma = labels(language)["comma"]
    alert = _Alert(
        title=truncate_words(flat(title), MAX_TITLE),
        url=url,
        source=truncate_words(flat(source), MAX_SOURCE),
        when=local_time(published, tz, language),
        tags=hashtag_line(topics, language, book),
        language=language,
        why=truncate_words(comma.join(flat(w) for w in why or () if w.strip()), MAX_WHY),
    )
    summary = flat(summary)
    message = alert.render(summary)
    while (excess := visible_len(message) - MAX_MESSAGE) > 0 and summary:
        # A character is one or two UTF-16 units, so dropping `excess` characters nearly
        # always suffices; loop because a cut can move bidi isolates.
        summary = truncate_words(summary, max(len(summary) - excess - 2, 0))
        message = alert.render(summary)
    return message


def alert_html(alert: Alert, summary: str, book: TopicBook) -> str:
    """A pending alert as its chat sees it; `summary` is the article's, computed once."""
    article = alert.article
    return render_alert(
        title=article.title,
        summary=summary,
        url=article.url,
        source=article.feed_title or "",
        published=article.published,
        topics=[match.topic for match in article.topics],
        language=alert.language,
        book=book,
        tz=alert.timezone,
        why=evidence_lines(alert) if alert.show_why else None,
    )


def evidence_lines(alert: Alert) -> list[str]:
    """One line per topic: its id and the first few evidence terms."""
    return [f"{m.topic}: {', '.join(m.evidence[:EVIDENCE_TERMS])}" for m in alert.article.topics]
