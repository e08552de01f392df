"""The command menus Telegram shows, per language (ar, en) and scope, set once at start."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)
from telegram.error import TelegramError

log = logging.getLogger(__name__)

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "ar": {
        "start": "ترحيب والمواضيع",
        "help": "الأوامر مع أمثلة",
        "topics": "المواضيع واشتراكات المحادثة",
        "subscribe": "اشترك في موضوع",
        "unsubscribe": "ألغِ اشتراكاً",
        "mysubs": "الاشتراكات والإعدادات",
        "search": "ابحث في الأخبار المحفوظة",
        "digest": "تنبيهات فرادى أو موجز كل ساعة أو كل يوم",
        "timezone": "المنطقة الزمنية",
        "mute": "أوقف التنبيهات مؤقتاً",
        "why": "ردّاً على تنبيه: لماذا أُرسل",
        "lang": "لغة الردود",
    },
    "en": {
        "start": "Welcome and topics",
        "help": "Commands with examples",
        "topics": "Topics and this chat's subscriptions",
        "subscribe": "Subscribe to a topic",
        "unsubscribe": "Unsubscribe from a topic",
        "mysubs": "Subscriptions and settings",
        "search": "Search stored articles",
        "digest": "Alerts one by one, hourly or daily",
        "timezone": "Time zone for times and digests",
        "mute": "Silence alerts for a while",
        "why": "In reply to an alert: why it was sent",
        "lang": "Language of replies",
    },
}
# Language codes of the menus and their languages: no code is the fallback for all others.
MENU_LANGUAGES: tuple[tuple[str | None, str], ...] = (("ar", "ar"), ("en", "en"), (None, "en"))
# What a group member who is not an admin can use: reading, not changing the group.
MEMBER_COMMANDS = ("search", "topics", "mysubs", "why", "help")


def commands(language: str, names: tuple[str, ...] | None = None) -> list[BotCommand]:
    """The menu entries in a language, all of them or only those named."""
    table = DESCRIPTIONS[language]
    chosen = table if names is None else {n: t for n, t in table.items() if n in names}
    return [BotCommand(name, text) for name, text in chosen.items()]


def menus() -> list[tuple[BotCommandScope, str | None, list[BotCommand]]]:
    """(scope, language code, commands) for every menu; no code is the English fallback."""
    out: list[tuple[BotCommandScope, str | None, list[BotCommand]]] = []
    for code, language in MENU_LANGUAGES:
        out.append((BotCommandScopeAllPrivateChats(), code, commands(language)))
        out.append((BotCommandScopeAllChatAdministrators(), code, commands(language)))
        out.append((BotCommandScopeAllGroupChats(), code, commands(language, MEMBER_COMMANDS)))
    return out


async def set_commands(bot: Bot) -> None:
    """Publish every menu; a refusal is logged, since the bot works without menus."""
    for scope, code, entries in menus():
        try:
            await bot.set_my_commands(entries, scope=scope, language_code=code)
        except TelegramError as exc:
            log.warning("setMyCommands %s/%s refused: %s", scope.type, code or "-", exc)
