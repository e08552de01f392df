"""The Telegram edge: each handler parses an update, calls one service and replies.

`ROUTING` is all of this package bot.app uses: it builds the Application with the
handlers' context and update processor, routes every command of the command table
(handlers/commands.py), publishes the menus and stops the handlers' background work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.delivery.limiter import CommandPace, retry_seconds
from handlers import admin_topics, search, subscriptions
from handlers.commands import COMMANDS
from handlers.context import MARSAD_KEY, Context
from handlers.menu import set_admin_menus, set_commands
from handlers.pacing import CommandPacer, PaceCommands
from handlers.texts import say, user_language
from handlers.updates import ChatSerialProcessor

if TYPE_CHECKING:
    from bot.app import Marsad

log = logging.getLogger(__name__)

NEW_MESSAGE = filters.UpdateType.MESSAGE  # not edited messages, not channel posts


@dataclass(frozen=True, slots=True)
class Routing:
    """What the composition root needs of the Telegram edge, and nothing more."""

    def build(
        self,
        builder: ApplicationBuilder,  # type: ignore[type-arg]
        marsad: Marsad,
        pace: CommandPace,
    ) -> Application:  # type: ignore[type-arg]
        """The Application from a builder set up with the token and HTTP, every route on it."""
        application = (
            builder.context_types(context_types())
            # One chat's commands in order; a slow one never holds other chats'.
            .concurrent_updates(ChatSerialProcessor())
            .build()
        )
        application.bot_data[MARSAD_KEY] = marsad
        register(application, pace)
        return application

    async def publish_menus(self, marsad: Marsad) -> None:
        """Everyone's command menus, then each Marsad admin's."""
        if marsad.telegram is not None:
            await set_commands(marsad.telegram.bot)
            await set_admin_menus(marsad)

    async def stop(self, application: Application) -> None:  # type: ignore[type-arg]
        """Cancel the handlers' background work (a running /reclassify) before stopping."""
        await admin_topics.stop_reclassify(application.bot_data)


ROUTING = Routing()


def context_types() -> ContextTypes[Context, dict[Any, Any], dict[Any, Any], dict[Any, Any]]:
    """The context types the Application must be built with."""
    return ContextTypes(context=Context)


def register(application: Application, pace: CommandPace) -> None:  # type: ignore[type-arg]
    """Route every command of the table; anything else like a command gets a short answer."""
    # Group -1 runs before the routes: a user's commands beyond their pace stop there.
    pacer = PaceCommands(CommandPacer(pace), ours=[command.name for command in COMMANDS])
    application.add_handler(TypeHandler(Update, pacer), group=-1)
    for command in COMMANDS:
        callback = command.callback()
        # New messages only: PTB's CommandHandler also takes edited ones, and editing an
        # old "/addadmin 7004" must not run it again.
        application.add_handler(CommandHandler(command.name, callback, filters=NEW_MESSAGE))
        if command.caption:  # a file sent with "/import" as its caption: not a command to PTB
            caption = filters.CaptionRegex(rf"^/{command.name}(@\w+)?(\s|$)")
            application.add_handler(
                MessageHandler(NEW_MESSAGE & filters.Document.ALL & caption, callback)
            )
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
