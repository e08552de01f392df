"""Marsad's own send queue for Telegram: pacing, fairness, retries and digests.

python-telegram-bot's AIORateLimiter neither paces private chats nor retries by default,
so pacing lives here: one task per destination sends in order, at most one message per
`private_interval` to a private chat and per `group_interval` to a group or channel, and
every send first takes a slot from one global spacer (30/s), shared with the handlers'
replies (bot.delivery.limiter) so both together stay within Telegram's overall limit.
Tasks wait for the global slot in FIFO order, which interleaves chats fairly. Outcomes go
to the store at once: a delivery is marked sent only after Telegram accepted it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.delivery.limiter import UNPACED
from bot.delivery.summarise import ArticleSummaries, Summariser, summarise
from bot.models import Alert, Message
from bot.render import NO_TOPICS, TopicBook, alert_html, burst_digest
from bot.storage.protocols import SendStore

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
Destination = tuple[int, int]  # (chat id, forum thread id or 0)

# BadRequest descriptions after which nothing more can reach the chat.
_GONE = ("chat not found", "bot was kicked", "not enough rights", "need administrator rights")


@dataclass(frozen=True, slots=True)
class Pace:
    """Telegram's limits, with a small margin so steady sending provokes no 429."""

    private_interval: float = 1.05  # about 1 message per second per chat
    group_interval: float = 3.05  # 20 per minute per group or channel
    global_interval: float = 1 / 29  # 30 per second overall
    digest_threshold: int = 5  # more pending than this for one destination: a digest
    digest_chunk: int = 10  # headlines per digest message
    max_attempts: int = 4  # network errors and 5xx retried this often within one drain
    backoff: float = 2.0  # first network backoff, seconds; doubles per attempt
    outage_pause: float = 60.0  # longest pause of the whole queue after network errors


@dataclass(slots=True)
class DrainReport:
    """What one drain did."""

    sent: int = 0  # deliveries marked sent (a digest counts all it covers)
    messages: int = 0  # Telegram messages accepted
    failed: int = 0
    retried_429: int = 0
    deferred: int = 0  # left pending for the next drain


class Spacer:
    """Hands out send slots at least `interval` apart, first come first served."""

    def __init__(self, interval: float, monotonic: Monotonic, sleep: Sleep) -> None:
        """Start with a free slot."""
        self.interval = interval
        self.monotonic = monotonic
        self.sleep = sleep
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Wait for the next slot."""
        async with self._lock:
            delay = self._next - self.monotonic()
            if delay > 0:
                await self.sleep(delay)
            self._next = max(self.monotonic(), self._next) + self.interval


class _Retry(Exception):
    """Send the same message again after `delay` seconds."""

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay


class _Stop(Exception):
    """Stop sending to this destination for now; what is left stays pending."""


class _Skip(Exception):
    """This message failed for good; go on with the next one."""


class SendQueue:
    """Sends the outbox to Telegram under Telegram's limits."""

    def __init__(
        self,
        store: SendStore,
        bot: Bot,
        *,
        clock: Callable[[], datetime],
        pace: Pace | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
        spacer: Spacer | None = None,
        topics: TopicBook = NO_TOPICS,
        summariser: Summariser = summarise,
    ) -> None:
        """Keep the collaborators; the clock stamps sent_at, sleep and monotonic pace.

        `spacer`, when given, is the overall pace shared with the bot's replies; `topics`
        gives alerts their hashtags and digests their headings.
        """
        self.store = store
        self.bot = bot
        self.clock = clock
        self.topics = topics
        self.summariser = summariser
        self.pace = pace or Pace()
        self.sleep = sleep
        self.monotonic = monotonic
        self.spacer = spacer or Spacer(self.pace.global_interval, monotonic, sleep)
        # The queue paces each chat itself: the Application's reply limiter lets it pass.
        paced = isinstance(bot, ExtBot) and bot.rate_limiter is not None
        self._send_args: dict[str, Any] = {"rate_limit_args": UNPACED} if paced else {}
        self._lock = asyncio.Lock()
        self._paused_until = 0.0
        self._outage_pause = self.pace.backoff

    async def drain(self, *, limit: int = 2000) -> DrainReport:
        """Send every pending delivery once, destinations in parallel, each in order."""
        report = DrainReport()
        async with self._lock:
            if self.monotonic() < self._paused_until:
                return report
            destinations: dict[Destination, list[Alert]] = {}
            for alert in await self.store.pending_alerts(limit=limit):
                destinations.setdefault((alert.chat_id, alert.thread_id or 0), []).append(alert)
            # One article often goes to many chats: summarise it once for all of them.
            summaries = ArticleSummaries(self.summariser)
            await asyncio.gather(
                *(
                    self.serve(dest, self._messages(alerts, summaries), report)
                    for dest, alerts in destinations.items()
                )
            )
        return report

    async def serve(
        self, dest: Destination, messages: Sequence[Message], report: DrainReport
    ) -> bool:
        """Send one destination's messages in order; False when stopped with some left."""
        chat_id = dest[0]
        interval = self.pace.private_interval if chat_id > 0 else self.pace.group_interval
        next_at = 0.0
        for message in messages:
            wait = next_at - self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            try:
                chat_id = await self._send(chat_id, dest[1], message, report)
            except _Stop:
                report.deferred += sum(len(m.deliveries) for m in messages)
                return False
            next_at = self.monotonic() + interval
        return True

    def _messages(self, alerts: list[Alert], summaries: ArticleSummaries) -> list[Message]:
        """One message per alert, or digests when many are due at once."""
        if len(alerts) > self.pace.digest_threshold:
            return burst_digest(alerts, self.topics, chunk=self.pace.digest_chunk)
        return [
            Message(alert_html(a, summaries(a.article), self.topics), (a.delivery_id,))
            for a in alerts
        ]

    async def _send(
        self, chat_id: int, thread_id: int, message: Message, report: DrainReport
    ) -> int:
        """Send one message, retrying as Telegram asks; return the chat id it went to."""
        attempt = 0
        while True:
            await self.spacer.wait()
            try:
                sent = await self.bot.send_message(
                    chat_id=chat_id,
                    message_thread_id=thread_id or None,
                    text=message.text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    **self._send_args,
                )
            except Exception as exc:  # classified below; unknown errors surface
                attempt += 1
                try:
                    chat_id = await self._on_error(exc, chat_id, message, attempt, report)
                except _Retry as retry:
                    await self.sleep(retry.delay)
                except _Skip:
                    return chat_id
                continue
            await self._settle(message, sent.message_id, report)
            self._outage_pause = self.pace.backoff
            return chat_id

    async def _on_error(
        self, exc: Exception, chat_id: int, message: Message, attempt: int, report: DrainReport
    ) -> int:
        """The chat id to retry with, or _Retry, _Skip or _Stop; unknown errors re-raise."""
        if isinstance(exc, RetryAfter):
            report.retried_429 += 1
            log.warning("chat %d: 429, retrying after %ss", chat_id, _seconds(exc.retry_after))
            raise _Retry(_seconds(exc.retry_after), "429")
        if isinstance(exc, ChatMigrated):
            await self.store.migrate_chat(chat_id, exc.new_chat_id)
            log.info("chat %d became %d; subscriptions moved", chat_id, exc.new_chat_id)
            return exc.new_chat_id
        if isinstance(exc, Forbidden):
            await self._deactivate(chat_id, f"forbidden: {exc.message}", report)
            raise _Stop
        if isinstance(exc, BadRequest):
            if any(marker in exc.message.lower() for marker in _GONE):
                await self._deactivate(chat_id, f"bad request: {exc.message}", report)
                raise _Stop
            await self._fail(message, f"bad request: {exc.message}", report)
            raise _Skip
        if isinstance(exc, NetworkError):  # includes TimedOut and Telegram's 5xx
            if attempt < self.pace.max_attempts:
                raise _Retry(self.pace.backoff * 2 ** (attempt - 1), str(exc))
            await self._defer(message, str(exc))
            raise _Stop
        raise exc

    async def _settle(self, message: Message, message_id: int, report: DrainReport) -> None:
        """Mark every delivery a message carried as sent."""
        now = self.clock()
        for delivery_id in message.deliveries:
            await self.store.mark_sent(delivery_id, now=now, message_id=message_id)
        report.sent += len(message.deliveries)
        report.messages += 1

    async def _fail(self, message: Message, reason: str, report: DrainReport) -> None:
        """Give up on a message that Telegram will never accept."""
        log.warning("deliveries %s failed: %s", message.deliveries, reason)
        for delivery_id in message.deliveries:
            await self.store.mark_failed(delivery_id, reason=reason)
        report.failed += len(message.deliveries)

    async def _deactivate(self, chat_id: int, reason: str, report: DrainReport) -> None:
        """Stop alerting a chat that blocked or removed the bot; keep why."""
        log.warning("chat %d deactivated: %s", chat_id, reason)
        report.failed += await self.store.deactivate_chat(chat_id, reason=reason)

    async def _defer(self, message: Message, error: str) -> None:
        """Leave a message pending and pause the queue: Telegram is probably out."""
        for delivery_id in message.deliveries:
            await self.store.note_attempt(delivery_id, error=error)
        self._paused_until = self.monotonic() + self._outage_pause
        log.warning(
            "Telegram unreachable (%s); pausing deliveries for %.0fs", error, self._outage_pause
        )
        self._outage_pause = min(self._outage_pause * 2, self.pace.outage_pause)


def _seconds(value: Any) -> float:
    """retry_after as seconds (PTB gives an int, or a timedelta when asked to)."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
