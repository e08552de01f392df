"""The outbox worker: sends pending deliveries and records each outcome in the store.

A delivery is marked sent only after its sender returned, so a crash re-sends at most
the one that was in flight. The console cannot refuse an alert, so a sender has no
expected failures; Telegram's are the send queue's (bot/delivery/send.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TextIO
from zoneinfo import ZoneInfo

from bot.delivery.summarise import summarise
from bot.feeds.netpolicy import mask_credentials
from bot.models import Alert, Feed, NewArticle
from bot.storage.protocols import DeliveryStore

log = logging.getLogger(__name__)

CONSOLE_CHAT_ID = 0  # Telegram never uses chat id 0, so it marks the console destination
FIRST_POLL_PREVIEW = 3  # items of a feed's first poll the text console shows


class Sender(Protocol):
    """Something that shows an alert to its destination."""

    async def send(self, alert: Alert) -> int | None:
        """Deliver one alert; return the message id if there is one."""
        ...


class ConsoleSender:
    """Prints alerts: readable text for a terminal, or one JSON object per line."""

    def __init__(self, stream: TextIO, fmt: str = "text", tz: str = "UTC") -> None:
        """Write to stream in fmt ("text" or "jsonl")."""
        self.stream = stream
        self.fmt = fmt
        self.tz = ZoneInfo(tz)

    async def send(self, alert: Alert) -> int | None:
        """Print one alert."""
        print(self.format(alert), file=self.stream, flush=True)
        return None

    def format(self, alert: Alert) -> str:
        """The alert as the console shows it."""
        article = alert.article
        summary = summarise(article.title, article.text)
        topics = [match.topic for match in article.topics]
        if self.fmt == "jsonl":
            return json.dumps(
                {
                    "url": article.url,
                    "title": article.title,
                    "topics": topics,
                    "summary": summary,
                    "feed": article.feed_title,
                    "published": article.published.isoformat(),
                    "language": article.language,
                    "evidence": {m.topic: list(m.evidence) for m in article.topics},
                },
                ensure_ascii=False,
            )
        local = article.published.astimezone(self.tz)
        why = "; ".join(f"{m.topic}: {', '.join(m.evidence[:4])}" for m in article.topics)
        return "\n".join(
            [
                f"── [{', '.join(topics)}] " + "─" * 20,
                article.title,
                summary,
                f"{article.feed_title or ''} · {local:%Y-%m-%d %H:%M %Z}",
                article.url,
                f"why: {why}",
                "",
            ]
        )

    def show_first_poll(self, feed: Feed, articles: Sequence[NewArticle]) -> None:
        """Print the newest few items of a feed's first poll (text only: jsonl is alerts)."""
        if self.fmt == "text":
            print(self.format_first_poll(feed, articles), file=self.stream, flush=True)

    def format_first_poll(self, feed: Feed, articles: Sequence[NewArticle]) -> str:
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
            local = article.entry.published.astimezone(self.tz)
            lines += [
                f"  • {article.entry.title}",
                f"    {local:%Y-%m-%d %H:%M %Z} · {topics}",
                f"    {article.entry.url}",
            ]
        return "\n".join([*lines, ""])


class Outbox:
    """Drains pending deliveries through a sender."""

    def __init__(
        self, store: DeliveryStore, sender: Sender, *, clock: Callable[[], datetime]
    ) -> None:
        """Keep the collaborators."""
        self.store = store
        self.sender = sender
        self.clock = clock
        self._lock = asyncio.Lock()

    async def drain(self, *, limit: int = 500) -> int:
        """Send what is pending, oldest first; return how many were sent."""
        async with self._lock:
            sent = 0
            for alert in await self.store.pending_alerts(limit=limit):
                sent += await self._deliver(alert)
            return sent

    async def _deliver(self, alert: Alert) -> int:
        """Send one alert and mark it sent; 1 for the count."""
        message_id = await self.sender.send(alert)
        await self.store.mark_sent(alert.delivery_id, now=self.clock(), message_id=message_id)
        return 1
