"""The Telegram edge: each handler parses an update, calls one service and replies.

`register()` is the routing table; only bot/app.py calls it.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.delivery.limiter import retry_seconds
from handlers import (
    admin_channels,
    admin_feeds,
    admin_oversight,
    admin_topics,
    search,
    settings,
    subscriptions,
)
from handlers.context import Context
from handlers.menu import set_commands as set_commands  # bot.app publishes the menus
from handlers.pacing import CommandPace, CommandPacer, PaceCommands
from handlers.texts import say, user_language

log = logging.getLogger(__name__)

NEW_MESSAGE = filters.UpdateType.MESSAGE  # not edited messages, not channel posts

COMMANDS = {
    "start": subscriptions.start,
    "help": subscriptions.help_command,
    "topics": subscriptions.topics_command,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "mysubs": subscriptions.mysubs,
    "search": search.search,
    "digest": settings.digest,
    "timezone": settings.timezone,
    "mute": settings.mute,
    "why": settings.why,
    "lang": settings.lang,
    # Admins' commands (issue 7): each one checks the user is an admin.
    "adminhelp": admin_oversight.admin_help,
    "addfeed": admin_feeds.addfeed,
    "removefeed": admin_feeds.removefeed,
    "pausefeed": admin_feeds.pausefeed,
    "resumefeed": admin_feeds.resumefeed,
    "feeds": admin_feeds.feeds_command,
    "import": admin_feeds.import_command,
    "export": admin_feeds.export_command,
    "addchannel": admin_channels.addchannel,
    "removechannel": admin_channels.removechannel,
    "channels": admin_channels.channels,
    "newtopic": admin_topics.newtopic,
    "deltopic": admin_topics.deltopic,
    "terms": admin_topics.terms,
    "addterm": admin_topics.addterm,
    "removeterm": admin_topics.removeterm,
    "exclude": admin_topics.exclude,
    "testfilter": admin_topics.testfilter,
    "reclassify": admin_topics.reclassify,
    "stats": admin_oversight.stats,
    "audit": admin_oversight.audit,
    "addadmin": admin_oversight.addadmin,
    "removeadmin": admin_oversight.removeadmin,
}


async def stop_background(application: Application) -> None:  # type: ignore[type-arg]
    """Cancel the handlers' background work (a running /reclassify) before stopping."""
    await admin_topics.stop_reclassify(application.bot_data)


def context_types() -> ContextTypes[Context, dict, dict, dict]:  # type: ignore[type-arg]
    """The context types the Application must be built with."""
    return ContextTypes(context=Context)


def register(
    application: Application,  # type: ignore[type-arg]
    pace: CommandPace | None = None,
) -> None:
    """Route every command; anything else that looks like a command gets a short answer."""
    # Group -1 runs before the routes: a user's commands beyond their pace stop there.
    pacer = PaceCommands(CommandPacer(pace or CommandPace()), ours=[*COMMANDS, "import"])
    application.add_handler(TypeHandler(Update, pacer), group=-1)
    # Commands run from new messages only: PTB's CommandHandler also takes edited ones, and
    # editing an old "/addadmin 7004" must not run it again.
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGE))
    # A file sent with "/import" as its caption: captions are not commands to PTB.
    import_caption = (
        NEW_MESSAGE & filters.Document.ALL & filters.CaptionRegex(r"^/import(@\w+)?(\s|$)")
    )
    application.add_handler(MessageHandler(import_caption, admin_feeds.import_command))
    pattern = f"^{subscriptions.TOGGLE_PREFIX}"
    application.add_handler(CallbackQueryHandler(subscriptions.toggle_topic, pattern=pattern))
    pattern = f"^{search.PAGE_PREFIX}"
    application.add_handler(CallbackQueryHandler(search.turn_page, pattern=pattern))
    application.add_handler(MessageHandler(NEW_MESSAGE & filters.COMMAND, unknown_command))
    application.add_error_handler(on_error)


async def unknown_command(update: Update, context: Context) -> None:
    """A one-line answer to a command Marsad does not know, unless meant for another bot."""
    message, chat = update.effective_message, update.effective_chat
    command = (message.text or "").split(maxsplit=1)[0] if message and message.text else ""
    _, _, addressee = command.partition("@")
    if addressee.lower() != (context.bot.username or "").lower() and (
        addressee or (chat is not None and chat.type != ChatType.PRIVATE)
    ):
        return  # /cmd@OtherBot, or a bare /cmd in a group that may be another bot's
    language = await subscriptions.chat_language(update, context)
    await subscriptions.reply(update, say(language, "unknown_command"))


# Telegram refusing a reply now and then is expected (flood control, a user who blocked
# the bot, a chat that is gone): one log line, no traceback. Other BadRequests are bugs.
_EXPECTED_BAD_REQUESTS = (
    "chat not found",
    "message is not modified",
    "message to edit not found",
    "message to be replied not found",
    "query is too old",
    "bot was kicked",
    "not enough rights",
    "have no rights",
    "need administrator rights",
    "user is deactivated",
)


def telegram_refusal(error: object) -> str | None:
    """Why Telegram refused, when the failure is an expected refusal; else None."""
    if isinstance(error, RetryAfter):
        return f"flood control, retry after {retry_seconds(error):.0f}s"
    if isinstance(error, BadRequest):
        expected = any(marker in error.message.lower() for marker in _EXPECTED_BAD_REQUESTS)
        return error.message if expected else None
    if isinstance(error, Forbidden | ChatMigrated | NetworkError):  # NetworkError: TimedOut too
        return error.message
    return None


async def on_error(update: object, context: Context) -> None:
    """Log a handler's failure (one line for Telegram's refusals); tell the user plainly."""
    refusal = telegram_refusal(context.error)
    if refusal is not None:
        where = (
            update.effective_chat.id
            if isinstance(update, Update) and update.effective_chat
            else "?"
        )
        log.warning("reply to chat %s not sent: %s", where, refusal)
        return  # telling the user would meet the same refusal
    log.error("handler failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await subscriptions.reply(update, say(user_language(update), "error"))
        except TelegramError as exc:  # Telegram may be the reason the handler failed
            log.warning("could not tell the user about the failure: %s", exc)
