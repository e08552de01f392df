"""The typed context handlers receive: `context.marsad` is the running application."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.storage.protocols import CommandStore

if TYPE_CHECKING:
    import aiohttp

    from bot.app import Marsad, RunOptions
    from bot.delivery.send import SendQueue
    from bot.feeds.parse import ParserPool
    from bot.pipeline import Poller
    from bot.topics import TopicEngine
    from config.settings import Settings

MARSAD_KEY = "marsad"


class Services(Protocol):
    """What handlers reach of the running application (bot.app.Marsad), read-only.

    The store is narrowed to CommandStore: commands never write the poll cycle's
    articles, the outbox or heartbeats.
    """

    @property
    def store(self) -> CommandStore:
        """The store, as far as commands may use it."""
        ...

    @property
    def settings(self) -> Settings:
        """The settings, parsed once."""
        ...

    @property
    def clock(self) -> Callable[[], datetime]:
        """The application's clock (UTC)."""
        ...

    @property
    def options(self) -> RunOptions:
        """How this process runs (fetch limits among them)."""
        ...

    @property
    def topics(self) -> TopicEngine:
        """The live topic rules."""
        ...

    @property
    def session(self) -> aiohttp.ClientSession:
        """The shared HTTP session for feeds and pages."""
        ...

    @property
    def parsers(self) -> ParserPool:
        """The parser worker processes."""
        ...

    @property
    def poller(self) -> Poller:
        """The poller (its last cycle's report, for /stats)."""
        ...

    @property
    def send_queue(self) -> SendQueue | None:
        """The send queue, with Telegram."""
        ...

    @property
    def telegram(self) -> Application | None:  # type: ignore[type-arg]
        """The Telegram application, unless in console mode."""
        ...

    @property
    def telegram_ready(self) -> asyncio.Event:
        """Set once the Bot API answers."""
        ...


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with Marsad's services on it."""

    @property
    def marsad(self) -> Services:
        """The services of this process (set by bot.app when it builds the Application)."""
        return cast("Services", self.bot_data[MARSAD_KEY])


if TYPE_CHECKING:

    def _marsad_serves_handlers(marsad: Marsad) -> Services:
        """Never called: mypy checks here that the application offers what handlers use."""
        return marsad
