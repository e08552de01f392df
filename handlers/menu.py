"""The command menus Telegram shows, per language and scope, derived from the command table.

Everyone's menus are set once at start; each Marsad admin's private chat also lists the
admins' commands (set at start, and when an admin is added or removed).
"""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot.services.admins import all_admins
from handlers.texts import say

if TYPE_CHECKING:
    from bot.app import Marsad

log = logging.getLogger(__name__)


class Menu(enum.Enum):
    """Which of Telegram's command menus list a command (a column of the command table)."""

    ALL = "all"  # every menu, group members' included
    MANAGERS = "managers"  # private chats' and group admins' menus (and Marsad admins')
    ADMINS = "admins"  # Marsad admins' private chats only


# What each audience's menu holds: group members only read, chat managers change their
# chat, Marsad admins see everything.
MEMBERS_SEE = frozenset({Menu.ALL})
MANAGERS_SEE = frozenset({Menu.ALL, Menu.MANAGERS})
ADMINS_SEE = frozenset(Menu)
# Language codes of the menus and their languages: no code is the fallback for all others.
MENU_LANGUAGES: tuple[tuple[str | None, str], ...] = (("ar", "ar"), ("en", "en"), (None, "en"))


def commands(language: str, seen: frozenset[Menu]) -> list[BotCommand]:
    """The menu entries, in a language, of the table's commands placed in any of `seen`."""
    # Imported here: the table imports every handler, /addadmin's (which sets menus) too.
    from handlers.commands import COMMANDS

    return [BotCommand(c.name, say(language, c.menu_key)) for c in COMMANDS if c.menu in seen]


def menus() -> list[tuple[BotCommandScope, str | None, list[BotCommand]]]:
    """(scope, language code, commands) for every menu; no code is the English fallback."""
    out: list[tuple[BotCommandScope, str | None, list[BotCommand]]] = []
    for code, language in MENU_LANGUAGES:
        out.append((BotCommandScopeAllPrivateChats(), code, commands(language, MANAGERS_SEE)))
        out.append((BotCommandScopeAllChatAdministrators(), code, commands(language, MANAGERS_SEE)))
        out.append((BotCommandScopeAllGroupChats(), code, commands(language, MEMBERS_SEE)))
    return out


def admin_commands(language: str) -> list[BotCommand]:
    """A Marsad admin's menu: everyone's commands, then the admins' ones."""
    return commands(language, ADMINS_SEE)


async def set_commands(bot: Bot) -> None:
    """Publish every menu; a refusal is logged, since the bot works without menus."""
    for scope, code, entries in menus():
        try:
            await bot.set_my_commands(entries, scope=scope, language_code=code)
        except TelegramError as exc:
            log.warning("setMyCommands %s/%s refused: %s", scope.type, code or "-", exc)


async def set_admin_menu(bot: Bot, user_id: int) -> None:
    """Show the admin commands in one admin's private chat; a refusal is only logged."""
    for code, language in MENU_LANGUAGES:
        try:
            scope = BotCommandScopeChat(user_id)
            await bot.set_my_commands(admin_commands(language), scope=scope, language_code=code)
        except TelegramError as exc:  # an admin who never opened a chat with the bot
            log.warning("admin menu for %d not set: %s", user_id, exc)
            return


async def clear_admin_menu(bot: Bot, user_id: int) -> None:
    """Give a former admin the everyone's menu back."""
    for code, _ in MENU_LANGUAGES:
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id), language_code=code)
        except TelegramError as exc:
            log.warning("admin menu for %d not removed: %s", user_id, exc)
            return


async def set_admin_menus(marsad: Marsad) -> None:
    """Show the admin commands to every admin (at start)."""
    if marsad.telegram is None:
        return
    for user_id in await all_admins(marsad.store, marsad.settings.admin_ids):
        await set_admin_menu(marsad.telegram.bot, user_id)
