"""Marsad's own send queue for Telegram: pacing, fairness, retries and digests.

python-telegram-bot's AIORateLimiter neither paces private chats nor retries by default,
so pacing lives here: one task per destination sends in order, at most one message per
`private_interval` to a private chat and per `group_interval` to a group or channel, and
every send first takes a slot from one global spacer (30/s), shared with the handlers'
replies (bot.delivery.limiter) so both together stay within Telegram's overall limit.
Tasks wait for the global slot in FIFO order, which interleaves chats fairly. Outcomes go
to the store at once: a delivery is marked sent only after Telegram accepted it.

Telegram's refusals are expected, so they become outcome values (`outcome_of`, a pure
function: retry after a while, send to the chat's new id, skip the message, stop for a
chat that is gone, defer everything while Telegram is out) that the send loop acts on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.delivery.limiter import UNPACED
from bot.delivery.summarise import ArticleSummaries, Summariser, summarise
from bot.models import Alert, Message, StoryEdit
from bot.render import NO_TOPICS, TopicBook, alert_html, burst_digest
from bot.render.growth import Report, breaking_reply, grown_alert, growth_block
from bot.storage.protocols import SendStore

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
Destination = tuple[int, int]  # (chat id, forum thread id or 0)

# An edit Telegram refuses with these: the message is too old to edit, or deleted; a
# short reply (or a plain message, if it is gone) carries the growth instead.
_UNEDITABLE = ("message to edit not found", "message can't be edited")
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


@dataclass(frozen=True, slots=True)
class Sent:
    """Telegram accepted the message."""

    message_id: int


@dataclass(frozen=True, slots=True)
class Retry:
    """Send the same message again after `after` seconds (`throttled`: Telegram's 429)."""

    after: float
    reason: str
    throttled: bool = False


@dataclass(frozen=True, slots=True)
class Moved:
    """The group became a supergroup: send again, to its new id."""

    chat_id: int


@dataclass(frozen=True, slots=True)
class Skip:
    """This message can never be sent; it fails and the next one goes."""

    reason: str


@dataclass(frozen=True, slots=True)
class Gone:
    """Nothing more can reach the chat (blocked, removed): deactivate it, stop sending to it."""

    reason: str


@dataclass(frozen=True, slots=True)
class Defer:
    """Telegram is unreachable: leave this and the rest pending, pause the queue."""

    reason: str


# How one attempt at a message can go, and the outcomes that end its attempts.
Outcome = Sent | Retry | Moved | Skip | Gone | Defer
Ending = Sent | Skip | Gone | Defer


def outcome_of(error: Exception, *, attempt: int, pace: Pace) -> Outcome | None:
    """What to do after Telegram refused the `attempt`-th try; None for an unexpected error."""
    if isinstance(error, RetryAfter):
        return Retry(_seconds(error.retry_after), "429", throttled=True)
    if isinstance(error, ChatMigrated):
        return Moved(error.new_chat_id)
    if isinstance(error, Forbidden):
        return Gone(f"forbidden: {error.message}")
    if isinstance(error, BadRequest):  # before NetworkError, of which it is a subclass
        reason = f"bad request: {error.message}"
        return Gone(reason) if any(m in error.message.lower() for m in _GONE) else Skip(reason)
    if isinstance(error, NetworkError):  # includes TimedOut and Telegram's 5xx
        if attempt < pace.max_attempts:
            return Retry(pace.backoff * 2 ** (attempt - 1), str(error))
        return Defer(str(error))
    return None


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
                    self.serve(
                        dest, self._messages(alerts, summaries), report, quiet=alerts[0].quiet
                    )
                    for dest, alerts in destinations.items()
                )
            )
        return report

    async def serve(
        self,
        dest: Destination,
        messages: Sequence[Message],
        report: DrainReport,
        *,
        quiet: bool = False,
    ) -> bool:
        """Send one destination's messages in order (`quiet`: without sound); False when
        stopped with some left."""
        chat_id = dest[0]
        interval = self.pace.private_interval if chat_id > 0 else self.pace.group_interval
        next_at = 0.0
        for message in messages:
            wait = next_at - self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            chat_id, outcome = await self._send(chat_id, dest[1], message, report, quiet=quiet)
            if isinstance(outcome, Gone | Defer):  # what is left stays pending
                report.deferred += sum(len(m.deliveries) for m in messages)
                return False
            next_at = self.monotonic() + interval
        return True

    async def edit_stories(self) -> DrainReport:
        """Edit every grown story alert in place, at most once a minute each (the store
        says which are due), destinations in parallel, paced like sends."""
        report = DrainReport()
        async with self._lock:
            if self.monotonic() < self._paused_until:
                return report
            destinations: dict[Destination, list[StoryEdit]] = {}
            for edit in await self.store.due_story_edits(now=self.clock()):
                destinations.setdefault((edit.chat_id, edit.thread_id), []).append(edit)
            summaries = ArticleSummaries(self.summariser)
            await asyncio.gather(
                *(self._edit_all(edits, summaries, report) for edits in destinations.values())
            )
        return report

    async def _edit_all(
        self, edits: list[StoryEdit], summaries: ArticleSummaries, report: DrainReport
    ) -> None:
        """One destination's edits, in order, paced per chat."""
        interval = self.pace.private_interval if edits[0].chat_id > 0 else self.pace.group_interval
        next_at = 0.0
        for edit in edits:
            wait = next_at - self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            if not await self._edit(edit, summaries, report):
                return
            next_at = self.monotonic() + interval

    async def _edit(
        self, edit: StoryEdit, summaries: ArticleSummaries, report: DrainReport
    ) -> bool:
        """Edit one alert (or reply to it); False when the destination is gone or out."""
        alert = edit.alert
        members = await self.store.story_members(edit.story_id)
        first = Report(_outlet(members, alert.article.id), alert.article.url, alert.article.title)
        later = [
            Report(m.outlet, m.url, m.title) for m in members if m.article_id != alert.article.id
        ]
        block = growth_block(first, later, alert.language)
        original = alert_html(alert, summaries(alert.article), self.topics)
        text = grown_alert(original, block, breaking=edit.breaking, language=alert.language)
        attempt = 0
        while True:
            await self.spacer.wait()
            try:
                await self.bot.edit_message_text(
                    chat_id=edit.chat_id,
                    message_id=edit.message_id,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    **self._send_args,
                )
                outcome: Outcome = Sent(edit.message_id)
            except BadRequest as exc:
                reason = exc.message.lower()
                if "message is not modified" in reason:
                    outcome = Sent(edit.message_id)  # it already shows this
                elif any(m in reason for m in _UNEDITABLE):
                    outcome = await self._reply_growth(edit, block or text, report)
                else:
                    attempt += 1
                    outcome = outcome_of(exc, attempt=attempt, pace=self.pace) or Skip(reason)
            except Exception as exc:  # classified by outcome_of; unexpected errors surface
                attempt += 1
                found = outcome_of(exc, attempt=attempt, pace=self.pace)
                if found is None:
                    raise
                outcome = found
            match outcome:
                case Retry():
                    await self._wait(edit.chat_id, outcome, report)
                case Sent() | Skip():  # a refused edit is not retried forever
                    told = edit.tell_breaking and await self._tell_breaking(edit)
                    await self.store.mark_story_edited(edit, now=self.clock(), told_breaking=told)
                    report.messages += isinstance(outcome, Sent) + told
                    return True
                case Gone():
                    await self._deactivate(edit.chat_id, outcome.reason, report)
                    return False
                case _:
                    return False  # Defer, Moved: the growth waits for the next run

    async def _tell_breaking(self, edit: StoryEdit) -> bool:
        """The breaking reply to the alert, always with sound; whether Telegram took it."""
        await self.spacer.wait()
        try:
            await self.bot.send_message(
                chat_id=edit.chat_id,
                message_thread_id=edit.thread_id or None,
                text=breaking_reply(edit.alert.article.title, edit.alert.language),
                parse_mode=ParseMode.HTML,
                disable_notification=False,
                reply_parameters=ReplyParameters(edit.message_id, allow_sending_without_reply=True),
                **self._send_args,
            )
        except Exception as exc:  # told at the next edit, whatever refused it
            log.warning("chat %d: breaking reply not sent (%s)", edit.chat_id, exc)
            return False
        return True

    async def _reply_growth(self, edit: StoryEdit, block: str, report: DrainReport) -> Outcome:
        """A short reply to an alert that can no longer be edited; a plain message if gone."""
        try:
            await self.bot.send_message(
                chat_id=edit.chat_id,
                message_thread_id=edit.thread_id or None,
                text=block,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                disable_notification=edit.alert.quiet or None,
                reply_parameters=ReplyParameters(edit.message_id, allow_sending_without_reply=True),
                **self._send_args,
            )
        except Exception as exc:
            return outcome_of(exc, attempt=self.pace.max_attempts, pace=self.pace) or Skip(str(exc))
        return Sent(edit.message_id)

    def _messages(self, alerts: list[Alert], summaries: ArticleSummaries) -> list[Message]:
        """One message per alert, or digests when many are due at once."""
        if len(alerts) > self.pace.digest_threshold:
            return burst_digest(alerts, self.topics, chunk=self.pace.digest_chunk)
        return [
            Message(alert_html(a, summaries(a.article), self.topics), (a.delivery_id,))
            for a in alerts
        ]

    async def _send(
        self,
        chat_id: int,
        thread_id: int,
        message: Message,
        report: DrainReport,
        *,
        quiet: bool = False,
    ) -> tuple[int, Ending]:
        """Send one message, retrying as Telegram asks; the chat id it went to, how it ended."""
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
                    disable_notification=quiet or None,
                    **self._send_args,
                )
            except Exception as exc:  # classified by outcome_of; unexpected errors surface
                attempt += 1
                outcome = outcome_of(exc, attempt=attempt, pace=self.pace)
                if outcome is None:
                    raise
            else:
                outcome = Sent(sent.message_id)
            match outcome:
                case Retry():
                    await self._wait(chat_id, outcome, report)
                case Moved():
                    await self.store.migrate_chat(chat_id, outcome.chat_id)
                    log.info("chat %d became %d; subscriptions moved", chat_id, outcome.chat_id)
                    chat_id = outcome.chat_id
                case _:
                    await self._conclude(chat_id, message, outcome, report)
                    return chat_id, outcome

    async def _wait(self, chat_id: int, retry: Retry, report: DrainReport) -> None:
        """Wait before sending the same message again."""
        if retry.throttled:
            report.retried_429 += 1
            log.warning("chat %d: 429, retrying after %ss", chat_id, retry.after)
        await self.sleep(retry.after)

    async def _conclude(
        self, chat_id: int, message: Message, outcome: Ending, report: DrainReport
    ) -> None:
        """Record how a message's attempts ended."""
        match outcome:
            case Sent():
                await self._settle(message, outcome.message_id, report)
                self._outage_pause = self.pace.backoff
            case Skip():
                await self._fail(message, outcome.reason, report)
            case Gone():
                await self._deactivate(chat_id, outcome.reason, report)
            case Defer():
                await self._defer(message, outcome.reason)

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


def _outlet(members: Sequence[Any], article_id: int) -> str:
    """The outlet of the alerted article among a story's members."""
    return next((m.outlet for m in members if m.article_id == article_id), "")
