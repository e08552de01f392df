"""What every admin handler shares: the admin check, quoted arguments, long replies.

The command table (handlers/commands.py) routes every admins' command through admin_only,
so a handler never checks it itself.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from telegram import Update

# The HTML helpers live in bot (the jobs' reports use them too); handlers import them here.
from bot.admintext import chunks as chunks
from bot.admintext import esc as esc
from bot.admintext import isolated as isolated
from bot.admintext import shorten as shorten
from bot.admintext import when as when
from bot.services.admins import is_admin
from handlers.context import Context
from handlers.subscriptions import chat_language, reply
from handlers.texts import say

log = logging.getLogger(__name__)

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]

# A phrase in straight, curly or Arabic (guillemet) quotes is one argument.
_ARG = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|(\S+)')


def admin_only(handler: Handler) -> Handler:
    """Run the handler for admins; refuse everyone else politely, change nothing, log it."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        user, marsad = update.effective_user, context.marsad
        if user is not None and await is_admin(marsad.store, marsad.settings.admin_ids, user.id):
            await handler(update, context)
            return
        chat = update.effective_chat
        log.warning(
            "refused %s from user %s in chat %s: not an admin",
            command_name(update),
            user.id if user else "unknown",
            chat.id if chat else "unknown",
        )
        if user is not None:
            await reply(update, say(await chat_language(update, context), "admin_refused"))

    return guarded


def command_name(update: Update) -> str:
    """The /command of a message (from its text or its caption)."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    return text.split(maxsplit=1)[0] if text else "?"


def arguments(update: Update) -> list[str]:
    """The words after the command; a quoted phrase is one argument."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=1)
    if len(parts) < 2:
        return []
    return [next(g for g in m.groups() if g is not None) for m in _ARG.finditer(parts[1])]


def rest_of_message(update: Update) -> str:
    """Everything after the command, line breaks kept."""
    message = update.effective_message
    text = (message.text or "") if message else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def actor(update: Update) -> int:
    """The user id an audit entry names."""
    user = update.effective_user
    return user.id if user else 0


def number(value: float) -> str:
    """A number without trailing zeros."""
    return f"{value:g}"


async def reply_blocks(update: Update, blocks: Iterable[str]) -> None:
    """Answer with as many messages as the blocks need."""
    for text in chunks(blocks):
        await reply(update, text)
