"""Admins' command menus: each admin's private chat lists the admin commands too."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.services.admins import all_admins
from handlers.menu import MENU_LANGUAGES, commands

if TYPE_CHECKING:
    from bot.app import Marsad

log = logging.getLogger(__name__)

ADMIN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "ar": {
        "adminhelp": "أوامر المشرفين",
        "feeds": "المصادر وحالتها",
        "addfeed": "أضف مصدراً بعد التحقق منه",
        "removefeed": "احذف مصدراً",
        "pausefeed": "أوقف مصدراً مؤقتاً",
        "resumefeed": "استأنف مصدراً",
        "import": "استورد ملف OPML",
        "export": "صدّر المصادر ملف OPML",
        "channels": "القنوات والمجموعات ومواضيعها",
        "addchannel": "وجّه مواضيع إلى قناة",
        "removechannel": "أوقف توجيه المواضيع إلى قناة",
        "newtopic": "موضوع جديد",
        "deltopic": "احذف موضوعاً أو عطّله",
        "terms": "كلمات موضوع وأوزانها",
        "addterm": "أضف كلمة إلى موضوع",
        "removeterm": "احذف كلمة من موضوع",
        "exclude": "أضف استثناءً إلى موضوع",
        "testfilter": "اختبر القواعد على نص أو رابط",
        "reclassify": "أعد تصنيف الأخبار الأخيرة",
        "stats": "إحصاءات",
        "audit": "سجل التغييرات",
        "addadmin": "أضف مشرفاً",
        "removeadmin": "أزل مشرفاً",
    },
    "en": {
        "adminhelp": "Admins' commands",
        "feeds": "Feeds and their health",
        "addfeed": "Add a feed after checking it",
        "removefeed": "Remove a feed",
        "pausefeed": "Pause a feed",
        "resumefeed": "Resume a feed",
        "import": "Import an OPML file",
        "export": "Export the feeds as OPML",
        "channels": "Channels and groups with their topics",
        "addchannel": "Route topics to a channel",
        "removechannel": "Stop routing topics to a channel",
        "newtopic": "Create a topic",
        "deltopic": "Delete or disable a topic",
        "terms": "A topic's terms and weights",
        "addterm": "Add a term to a topic",
        "removeterm": "Remove a term from a topic",
        "exclude": "Add an exclusion to a topic",
        "testfilter": "Test the rules on a text or URL",
        "reclassify": "Reclassify recent articles",
        "stats": "Stats",
        "audit": "Audit log",
        "addadmin": "Add an admin",
        "removeadmin": "Remove an admin",
    },
}


def admin_commands(language: str) -> list[BotCommand]:
    """Everyone's commands, then the admins' ones, in a language."""
    extra = [BotCommand(name, text) for name, text in ADMIN_DESCRIPTIONS[language].items()]
    return commands(language) + extra


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
