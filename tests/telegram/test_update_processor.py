"""The update processor on its own: one chat's updates in order, other chats meanwhile."""

from __future__ import annotations

import asyncio

from telegram import Update

from handlers.updates import ChatSerialProcessor
from tests.helpers.botapi import message_update

CHAT_A, CHAT_B = 7601, 7602


def update(chat_id: int) -> Update:
    """A command update from a private chat."""
    return Update.de_json({"update_id": 1, **message_update("/help", chat_id, chat_id)}, None)


async def test_one_chat_waits_its_turn_while_another_chat_goes_ahead() -> None:
    processor = ChatSerialProcessor()
    started: list[str] = []
    first_may_end, other_chat_done = asyncio.Event(), asyncio.Event()

    async def handle(name: str, until: asyncio.Event | None = None) -> None:
        started.append(name)
        if until is not None:
            await until.wait()
        if name == "B1":
            other_chat_done.set()

    async with processor:
        tasks = [
            asyncio.create_task(
                processor.process_update(update(CHAT_A), handle("A1", first_may_end))
            ),
            asyncio.create_task(processor.process_update(update(CHAT_A), handle("A2"))),
            asyncio.create_task(processor.process_update(update(CHAT_B), handle("B1"))),
        ]
        await other_chat_done.wait()  # chat B was served while chat A's first update waits

        assert started == ["A1", "B1"]  # A2 waits for A1, its chat's earlier update
        first_may_end.set()
        await asyncio.gather(*tasks)

    assert started == ["A1", "B1", "A2"]
    assert not processor._turns  # quiet chats are forgotten
