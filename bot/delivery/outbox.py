"""The outbox worker: sends pending deliveries and records each outcome in the store.

A delivery is marked sent only after its sender returned, so a crash re-sends at most
the one that was in flight. The console cannot refuse an alert, so a sender has no
expected failures; Telegram's are the send queue's (bot/delivery/send.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TextIO
from zoneinfo import ZoneInfo

from bot.delivery.summarise import summarise
from bot.models import Alert, Feed, NewArticle
from bot.render import console_alert, console_first_poll
from bot.storage.protocols import DeliveryStore

log = logging.getLogger(__name__)

CONSOLE_CHAT_ID = 0  # Telegram never uses chat id 0, so it marks the console destination


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
        """The alert as the console shows it (one destination: its summary is used once)."""
        summary = summarise(alert.article.title, alert.article.text)
        return console_alert(alert, summary, fmt=self.fmt, tz=self.tz)

    def show_first_poll(self, feed: Feed, articles: Sequence[NewArticle]) -> None:
        """Print the newest few items of a feed's first poll (text only: jsonl is alerts)."""
        if self.fmt == "text":
            print(console_first_poll(feed, articles, self.tz), file=self.stream, flush=True)


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
