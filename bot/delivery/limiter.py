"""Replies under Telegram's limits: the rate limiter of the bot's PTB Application.

Every message the bot sends or edits waits for a slot in its chat (a short burst, then
about one a second in a private chat; 20 a minute in a group or channel) and then for a
slot of the overall pace, which the send queue shares, so replies and alerts together stay
near 30 a second. A 429 holds that chat for the time Telegram asks and is retried once or
twice. The send queue paces its own sends per chat: it passes ``rate_limit_args=UNPACED``
and only takes the overall slot itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
Result = bool | dict[str, Any] | list[dict[str, Any]]

UNPACED = "unpaced"  # rate_limit_args of a send that is paced already (the send queue)
# Methods that post into a chat count against its limits; reads (getChatMember) do not.
_POSTING = ("send", "edit", "copy", "forward")
MAX_IDLE_WINDOWS = 1024  # beyond this, windows of quiet chats are forgotten


class Slots(Protocol):
    """A pace shared with the send queue: wait() returns when the next send may go."""

    async def wait(self) -> None:
        """Wait for the next slot."""


@dataclass(frozen=True, slots=True)
class CommandPace:
    """How many commands a user may send at once, and how fast after that.

    The other side of the replies' pace: handlers/pacing.py drops a user's commands beyond
    it before they run (and cost replies).
    """

    burst: int = 5
    interval: float = 2.5  # seconds that earn one more command once the burst is spent


@dataclass(frozen=True, slots=True)
class ReplyPace:
    """Per-chat limits of replies, with a small margin; a window of 0 means unlimited."""

    private_burst: int = 3  # Telegram tolerates a short burst in a private chat ...
    private_window: float = 3.15  # ... at about one message a second
    group_count: int = 20  # 20 messages a minute in a group or channel
    group_window: float = 63.0
    max_retries: int = 2  # a 429 is retried this often before the handler sees it


def retry_seconds(exc: RetryAfter) -> float:
    """retry_after as seconds (PTB gives an int, or a timedelta when asked to)."""
    value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Window:
    """At most `count` sends in any `seconds`; callers take their turns in order."""

    def __init__(self, count: int, seconds: float, monotonic: Monotonic, sleep: Sleep) -> None:
        """An empty window."""
        self.count, self.seconds = count, seconds
        self.monotonic, self.sleep = monotonic, sleep
        self.sent: deque[float] = deque()
        self.not_before = 0.0  # a 429 holds the chat until then
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        """Wait until this chat may receive one more message, and count it."""
        async with self.lock:
            while (delay := self._delay(self.monotonic())) > 0:
                await self.sleep(delay)
            self.sent.append(self.monotonic())

    def hold(self, seconds: float) -> None:
        """Send nothing more to this chat for `seconds` (Telegram answered 429)."""
        self.not_before = max(self.not_before, self.monotonic() + seconds)

    def idle(self, now: float) -> bool:
        """Nothing waits and nothing recent counts: the window may be forgotten."""
        recent = bool(self.sent) and self.sent[-1] > now - self.seconds
        return not self.lock.locked() and not recent and now >= self.not_before

    def _delay(self, now: float) -> float:
        """Seconds until the next message may go."""
        while self.sent and self.sent[0] <= now - self.seconds:
            self.sent.popleft()
        full = len(self.sent) >= self.count and self.seconds > 0
        return max(self.not_before - now, self.sent[0] + self.seconds - now if full else 0.0)


class ReplyLimiter(BaseRateLimiter[str]):
    """Paces what the Application sends per chat and overall; retries 429s once or twice."""

    def __init__(
        self,
        pace: ReplyPace | None = None,
        *,
        overall: Slots | None = None,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Pace per chat as `pace` says; take a slot of `overall` before every send."""
        self.pace = pace or ReplyPace()
        self.overall = overall
        self.monotonic, self.sleep = monotonic, sleep
        self._windows: dict[int | str, Window] = {}

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> Result:
        """Send when the chat and the overall pace allow; retry a 429 after its wait."""
        chat_id = _chat_key(data.get("chat_id"))
        if (
            rate_limit_args == UNPACED
            or chat_id is None
            or not endpoint.lower().startswith(_POSTING)
        ):
            return await callback(*args, **kwargs)
        window = self._window(chat_id)
        attempt = 0
        while True:
            await window.wait()
            if self.overall is not None:
                await self.overall.wait()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                attempt += 1
                if attempt > self.pace.max_retries:
                    raise  # the handler's error handler logs it in one line
                delay = retry_seconds(exc)
                window.hold(delay)
                log.info("chat %s: 429 on %s, retrying after %.0fs", chat_id, endpoint, delay)

    def _window(self, chat_id: int | str) -> Window:
        """The chat's window, made on first use; quiet chats' windows are dropped."""
        window = self._windows.get(chat_id)
        if window is not None:
            return window
        if len(self._windows) >= MAX_IDLE_WINDOWS:
            now = self.monotonic()
            self._windows = {k: w for k, w in self._windows.items() if not w.idle(now)}
        pace = self.pace
        if isinstance(chat_id, int) and chat_id > 0:
            count, seconds = pace.private_burst, pace.private_window
        else:  # groups, supergroups and channels (an @username is one of those)
            count, seconds = pace.group_count, pace.group_window
        window = self._windows[chat_id] = Window(count, seconds, self.monotonic, self.sleep)
        return window


def _chat_key(value: object) -> int | str | None:
    """A chat id as an int when it is one (PTB may pass it as a string)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    try:
        return int(text)
    except ValueError:
        return text
