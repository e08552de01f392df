"""How updates are processed: one chat's in order, different chats side by side.

PTB's default handles every update one after another, so one slow command held every
other user's. Here each chat keeps its order (a second command waits for the first), and
other chats are served meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates waiting for their chat hold a slot of PTB's bound, so it is generous; the
# handlers actually running at once are bounded separately.
QUEUED_UPDATES = 4096
RUNNING_UPDATES = 64


@dataclass(slots=True)
class _ChatTurn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # updates holding or waiting for the lock


class ChatSerialProcessor(BaseUpdateProcessor):
    """Processes a chat's updates one at a time, in order; different chats concurrently."""

    def __init__(self, running: int = RUNNING_UPDATES, queued: int = QUEUED_UPDATES) -> None:
        """At most `running` handlers at once, `queued` updates in flight."""
        super().__init__(max_concurrent_updates=queued)
        self._running = asyncio.Semaphore(running)
        self._turns: dict[int, _ChatTurn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn (asyncio locks are first come, first served), then run."""
        chat_id = _chat_of(update)
        if chat_id is None:
            async with self._running:
                await coroutine
            return
        turn = self._turns.setdefault(chat_id, _ChatTurn())
        turn.users += 1
        try:
            async with turn.lock, self._running:
                await coroutine
        finally:
            turn.users -= 1
            if turn.users == 0:  # forget quiet chats: memory follows the active ones
                del self._turns[chat_id]

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""


def _chat_of(update: object) -> int | None:
    """The chat an update belongs to, if any."""
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None
