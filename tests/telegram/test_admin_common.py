"""The admin handlers' helpers: quoted arguments and replies split to fit Telegram."""

from __future__ import annotations

from telegram import Bot, Update

from handlers.admin_common import arguments, chunks
from tests.helpers.botapi import message_update


def update_of(text: str) -> Update:
    """A PTB Update for a text message."""
    bot = Bot("123:abc")
    return Update.de_json(message_update(text, 1, 1) | {"update_id": 1}, bot)


def test_quoted_phrases_are_one_argument_in_any_quotes() -> None:
    update = update_of('/addterm cyber "zero day"  «برامج الفدية» “data breach” leak 2.5')
    assert arguments(update) == ["cyber", "zero day", "برامج الفدية", "data breach", "leak", "2.5"]
    assert arguments(update_of("/feeds")) == []


def test_chunks_keep_blocks_whole_and_fit_the_budget() -> None:
    blocks = ["a" * 40, "b" * 40, "c" * 40]
    assert chunks(blocks, budget=100) == ["a" * 40 + "\n" + "b" * 40, "c" * 40]
    long_block = "\n".join(["x" * 30] * 10)
    parts = chunks([long_block], budget=100)
    assert all(len(p) <= 100 for p in parts) and "".join(parts).count("x") == 300
