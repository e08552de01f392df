"""The Telegram edge: each handler parses an update, calls one service and replies.

`register()` is the routing table; only bot/app.py calls it.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from handlers import subscriptions
from handlers.context import Context
from handlers.texts import say, user_language

log = logging.getLogger(__name__)

COMMANDS = {
    "start": subscriptions.start,
    "help": subscriptions.help_command,
    "topics": subscriptions.topics_command,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "mysubs": subscriptions.mysubs,
}


def context_types() -> ContextTypes[Context, dict, dict, dict]:  # type: ignore[type-arg]
    """The context types the Application must be built with."""
    return ContextTypes(context=Context)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Route every command; anything else that looks like a command gets a short answer."""
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_error_handler(on_error)


async def unknown_command(update: Update, context: Context) -> None:
    """A one-line answer to a command Marsad does not know."""
    await subscriptions.reply(update, say(user_language(update), "unknown_command"))


async def on_error(update: object, context: Context) -> None:
    """Log a handler's failure with its traceback; tell the user plainly, never the trace."""
    log.error("handler failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await subscriptions.reply(update, say(user_language(update), "error"))
        except Exception:  # Telegram may be the reason the handler failed
            log.warning("could not tell the user about the failure", exc_info=True)
