"""What every admin handler shares: the admin check, quoted arguments, long replies."""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime
from typing import Any

from telegram import Update

from bot.render import FSI, PDI
from bot.services.admins import is_admin
from handlers.context import Context
from handlers.subscriptions import chat_language, reply
from handlers.texts import say

log = logging.getLogger(__name__)

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]

# Telegram allows 4096 UTF-16 units after entity parsing; the HTML source is an upper bound.
MESSAGE_BUDGET = 3800
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


def esc(text: object) -> str:
    """Text escaped for Telegram HTML."""
    return html.escape(str(text), quote=False)


def isolated(text: object) -> str:
    """Escaped text isolated, so a URL or a Latin name cannot reorder an Arabic line."""
    return f"{FSI}{esc(text)}{PDI}"


def when(moment: datetime | None) -> str:
    """A UTC time as admins read it, or a dash."""
    if moment is None:
        return "—"
    return f"{FSI}{moment:%Y-%m-%d %H:%M} UTC{PDI}"


def number(value: float) -> str:
    """A number without trailing zeros."""
    return f"{value:g}"


def shorten(text: str, limit: int) -> str:
    """Text cut to a limit with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunks(blocks: Iterable[str], budget: int = MESSAGE_BUDGET) -> list[str]:
    """Join blocks (already valid HTML each) into as few messages as fit the budget."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > budget:  # one huge block: cut on its line breaks
            for line in block.split("\n"):
                messages, current = _append(messages, current, line[:budget], budget)
            continue
        messages, current = _append(messages, current, block, budget)
    if current:
        messages.append(current)
    return messages


def _append(messages: list[str], current: str, block: str, budget: int) -> tuple[list[str], str]:
    """Add a block to the current message, starting a new one when it would not fit."""
    if current and len(current) + 1 + len(block) > budget:
        messages.append(current)
        current = ""
    return messages, f"{current}\n{block}" if current else block


async def reply_blocks(update: Update, blocks: Iterable[str]) -> None:
    """Answer with as many messages as the blocks need."""
    for text in chunks(blocks):
        await reply(update, text)
