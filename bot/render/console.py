"""The console's shapes, for running without Telegram: readable text, or JSON lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import tzinfo

from bot.feeds.netpolicy import mask_credentials
from bot.models import Alert, Feed, NewArticle

FIRST_POLL_PREVIEW = 3  # items of a feed's first poll the text console shows
WHY_TERMS = 4  # evidence terms per topic on the text console's "why" line


def console_alert(alert: Alert, summary: str, *, fmt: str, tz: tzinfo) -> str:
    """An alert as the console prints it: `fmt` is "text" or "jsonl"."""
    return console_json(alert, summary) if fmt == "jsonl" else console_text(alert, summary, tz)


def console_json(alert: Alert, summary: str) -> str:
    """An alert as one JSON object on one line, for other programs to read."""
    article = alert.article
    return json.dumps(
        {
            "url": article.url,
            "title": article.title,
            "topics": [match.topic for match in article.topics],
            "summary": summary,
            "feed": article.feed_title,
            "published": article.published.isoformat(),
            "language": article.language,
            "evidence": {m.topic: list(m.evidence) for m in article.topics},
        },
        ensure_ascii=False,
    )


def console_text(alert: Alert, summary: str, tz: tzinfo) -> str:
    """An alert as readable lines for a terminal."""
    article = alert.article
    topics = ", ".join(match.topic for match in article.topics)
    local = article.published.astimezone(tz)
    why = "; ".join(f"{m.topic}: {', '.join(m.evidence[:WHY_TERMS])}" for m in article.topics)
    return "\n".join(
        [
            f"── [{topics}] " + "─" * 20,
            article.title,
            summary,
            f"{article.feed_title or ''} · {local:%Y-%m-%d %H:%M %Z}",
            article.url,
            f"why: {why}",
            "",
        ]
    )


def console_first_poll(feed: Feed, articles: Sequence[NewArticle], tz: tzinfo) -> str:
    """A first poll as the text console shows it: what came in, with its topics.

    A first poll catches up quietly (no alerts), so without this a newcomer sees
    nothing until a feed publishes something new on a subscribed topic.
    """
    newest = sorted(articles, key=lambda a: a.entry.published, reverse=True)
    newest = newest[:FIRST_POLL_PREVIEW]
    name = feed.title or mask_credentials(feed.url)
    lines = [
        f"── first poll of {name}: {len(articles)} items stored, "
        f"the newest {len(newest)} below; new items on a topic will alert " + "─" * 4
    ]
    for article in newest:
        topics = ", ".join(m.topic for m in article.topics) or "no topic"
        local = article.entry.published.astimezone(tz)
        lines += [
            f"  • {article.entry.title}",
            f"    {local:%Y-%m-%d %H:%M %Z} · {topics}",
            f"    {article.entry.url}",
        ]
    return "\n".join([*lines, ""])
