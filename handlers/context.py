"""The typed context handlers receive: `context.marsad` is the running application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from telegram.ext import CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.app import Marsad

MARSAD_KEY = "marsad"


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with Marsad's services on it."""

    @property
    def marsad(self) -> Marsad:
        """The services of this process (set by bot.app when it builds the Application)."""
        return cast("Marsad", self.bot_data[MARSAD_KEY])
