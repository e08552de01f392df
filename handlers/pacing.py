"""Per-user command pacing: a burst of commands runs, then about one every few seconds.

Beyond the pace a user's commands are dropped, and they get one polite "slow down" reply
for the whole spell, not one per dropped command. Admins' commands count too.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection
from dataclasses import dataclass

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.delivery.limiter import CommandPace
from handlers.context import Context
from handlers.subscriptions import chat_language, reply
from handlers.texts import say

log = logging.getLogger(__name__)

PACER_KEY = "command_pacer"
MAX_TRACKED_USERS = 10_000  # beyond this, users with a full bucket are forgotten


class Verdict(enum.Enum):
    """What to do with one command."""

    RUN = "run"
    WARN = "warn"  # drop it and say "slow down" (the first drop of a spell)
    DROP = "drop"  # drop it silently: the user was told already


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class CommandPacer:
    """A token bucket per user.

    The buckets live in memory: they pace the Telegram updates this one process receives
    (one process long-polls a token), so a restart forgetting them costs nothing.
    """

    def __init__(self, pace: CommandPace) -> None:
        """Every user starts with a full bucket."""
        self.pace = pace
        self._buckets: dict[int, _Bucket] = {}

    def admit(self, user_id: int, sent_at: float) -> Verdict:
        """Take one command sent at `sent_at` (seconds) from the user's bucket, or drop it."""
        burst = float(self.pace.burst)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            self._forget_idle(sent_at)
            bucket = self._buckets[user_id] = _Bucket(burst, sent_at)
        elapsed = max(0.0, sent_at - bucket.at)  # updates may arrive slightly out of order
        bucket.tokens = min(burst, bucket.tokens + elapsed / self.pace.interval)
        bucket.at = max(bucket.at, sent_at)
        if bucket.tokens >= burst:
            bucket.warned = False  # a full bucket: the last spell is over
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.RUN
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: users whose bucket has refilled need no record."""
        if len(self._buckets) < MAX_TRACKED_USERS:
            return
        refill = self.pace.burst * self.pace.interval
        self._buckets = {
            user: bucket for user, bucket in self._buckets.items() if now - bucket.at < refill
        }


def is_command_for(message: Message, bot_username: str, ours: Collection[str]) -> bool:
    """Whether a message is a command this bot would answer (a caption counts: /import)."""
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return False
    name, _, addressee = text.split(maxsplit=1)[0][1:].partition("@")
    if addressee:
        return addressee.lower() == bot_username.lower()
    # A bare command in a group may be meant for another bot: only ours are counted there.
    return message.chat.type == ChatType.PRIVATE or name.lower() in ours


class PaceCommands:
    """The first handler of every update: drops a user's commands beyond their pace."""

    def __init__(self, pacer: CommandPacer, ours: Collection[str]) -> None:
        """Pace with pacer; `ours` names the commands routed to handlers."""
        self.pacer = pacer
        self.ours = frozenset(name.lower() for name in ours)

    async def __call__(self, update: Update, context: Context) -> None:
        """Let a command through, or stop it here (with one reply per spell)."""
        message, user = update.message, update.effective_user
        if message is None or user is None:
            return
        if not is_command_for(message, context.bot.username or "", self.ours):
            return
        # Judged by when the user sent it (Telegram's date), not when it is handled: a
        # burst stays a burst even when its replies wait for Telegram's limits.
        verdict = self.pacer.admit(user.id, message.date.timestamp())
        if verdict is Verdict.RUN:
            return
        if verdict is Verdict.WARN:
            log.info("user %d sends commands too fast; dropping them for a while", user.id)
            try:
                await reply(update, say(await chat_language(update, context), "slow_down"))
            except TelegramError as exc:  # the command stays dropped all the same
                log.warning("could not ask user %d to slow down: %s", user.id, exc)
        raise ApplicationHandlerStop
