"""The command table: every chat command once, with who may use it and where it is listed.

The routes (handlers/__init__.py), the command menus (handlers/menu.py) and /help and
/adminhelp (below) are derived from COMMANDS; tests/telegram/test_command_table.py checks
README's command list against it. Adding a command takes a row here, its handler, its
service, and its menu_* and help_* texts in each language (texts_ar.py, texts_en.py).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Update

from handlers import (
    admin_channels,
    admin_feeds,
    admin_oversight,
    admin_stories,
    admin_topics,
    search,
    settings,
    subscriptions,
)
from handlers.admin_common import Handler, admin_only
from handlers.context import Context
from handlers.menu import Menu
from handlers.subscriptions import chat_language, reply
from handlers.texts import say


class Access(enum.Enum):
    """Who may use a command."""

    EVERYONE = "everyone"
    # It changes a chat: in a group only the group's admins may (the handler asks Telegram,
    # after answering a usage mistake); in a private chat, its user.
    CHAT_ADMINS = "chat admins"
    # Marsad's admins: the route refuses anyone else, politely, and changes nothing.
    ADMINS = "admins"


@dataclass(frozen=True, slots=True)
class Command:
    """One chat command: its name, handler, users, menu placement and help line."""

    name: str
    handler: Handler
    access: Access
    menu: Menu
    listed: bool = True  # in /help (or, for admins' commands, /adminhelp)
    section: str = ""  # /adminhelp: neighbours of one section share a line
    caption: bool = False  # also runs from a document's caption (a file sent with /import)

    @property
    def menu_key(self) -> str:
        """The text key of its menu entry."""
        return f"menu_{self.name}"

    @property
    def help_key(self) -> str | None:
        """The text key of its help line, if it is listed."""
        return f"help_{self.name}" if self.listed else None

    def callback(self) -> Handler:
        """The handler as routed: an admins' command refuses everyone else first."""
        return admin_only(self.handler) if self.access is Access.ADMINS else self.handler


async def help_command(update: Update, context: Context) -> None:
    """The commands, one example each."""
    language = await chat_language(update, context)
    await reply(update, help_text(language, admins=False))


async def admin_help(update: Update, context: Context) -> None:
    """Admins' commands, one line per area."""
    language = await chat_language(update, context)
    await reply(update, help_text(language, admins=True))


def help_text(language: str, *, admins: bool) -> str:
    """/help (everyone's commands) or /adminhelp (the admins' ones), in a language."""
    listed = [c for c in COMMANDS if (c.access is Access.ADMINS) == admins]
    header = say(language, "adminhelp_header" if admins else "help_header")
    return "\n".join([header, *help_lines(language, listed)])


def help_lines(language: str, commands: Iterable[Command]) -> list[str]:
    """One line per command, or per section of neighbouring commands."""
    lines: list[str] = []
    section = ""
    for command in commands:
        if command.help_key is None:
            continue
        text = say(language, command.help_key)
        if lines and command.section and command.section == section:
            lines[-1] += " · " + text
        else:
            lines.append(text)
        section = command.section
    return lines


EVERYONE, CHAT_ADMINS, ADMINS = Access.EVERYONE, Access.CHAT_ADMINS, Access.ADMINS

# In the menus' order. Routes do not depend on it; /help and /adminhelp list in it.
COMMANDS: tuple[Command, ...] = (
    Command("start", subscriptions.start, EVERYONE, Menu.MANAGERS, listed=False),
    Command("help", help_command, EVERYONE, Menu.ALL, listed=False),
    Command("topics", subscriptions.topics_command, EVERYONE, Menu.ALL),
    Command("subscribe", subscriptions.subscribe, CHAT_ADMINS, Menu.MANAGERS),
    Command("unsubscribe", subscriptions.unsubscribe, CHAT_ADMINS, Menu.MANAGERS),
    Command("mysubs", subscriptions.mysubs, EVERYONE, Menu.ALL),
    Command("search", search.search, EVERYONE, Menu.ALL),
    Command("digest", settings.digest, CHAT_ADMINS, Menu.MANAGERS),
    Command("timezone", settings.timezone, CHAT_ADMINS, Menu.MANAGERS),
    Command("mute", settings.mute, CHAT_ADMINS, Menu.MANAGERS),
    Command("quiet", settings.quiet, CHAT_ADMINS, Menu.MANAGERS),
    Command("breaking", settings.breaking, CHAT_ADMINS, Menu.MANAGERS),
    Command("why", settings.why, EVERYONE, Menu.ALL),
    Command("lang", settings.lang, CHAT_ADMINS, Menu.MANAGERS),
    # Marsad admins' commands (issue 7)
    Command("adminhelp", admin_help, ADMINS, Menu.ADMINS, listed=False),
    Command("feeds", admin_feeds.feeds_command, ADMINS, Menu.ADMINS, section="feeds"),
    Command("addfeed", admin_feeds.addfeed, ADMINS, Menu.ADMINS, section="feeds"),
    Command("removefeed", admin_feeds.removefeed, ADMINS, Menu.ADMINS, section="feeds"),
    Command("pausefeed", admin_feeds.pausefeed, ADMINS, Menu.ADMINS, section="feeds"),
    Command("resumefeed", admin_feeds.resumefeed, ADMINS, Menu.ADMINS, section="feeds"),
    Command(
        "import", admin_feeds.import_command, ADMINS, Menu.ADMINS, section="opml", caption=True
    ),
    Command("export", admin_feeds.export_command, ADMINS, Menu.ADMINS, section="opml"),
    Command("channels", admin_channels.channels, ADMINS, Menu.ADMINS, section="channels"),
    Command("addchannel", admin_channels.addchannel, ADMINS, Menu.ADMINS, section="channels"),
    Command("removechannel", admin_channels.removechannel, ADMINS, Menu.ADMINS, section="channels"),
    Command("newtopic", admin_topics.newtopic, ADMINS, Menu.ADMINS, section="topics"),
    Command("deltopic", admin_topics.deltopic, ADMINS, Menu.ADMINS, section="topics"),
    Command("terms", admin_topics.terms, ADMINS, Menu.ADMINS, section="topics"),
    Command("addterm", admin_topics.addterm, ADMINS, Menu.ADMINS, section="terms"),
    Command("removeterm", admin_topics.removeterm, ADMINS, Menu.ADMINS, section="terms"),
    Command("exclude", admin_topics.exclude, ADMINS, Menu.ADMINS, section="terms"),
    Command("testfilter", admin_topics.testfilter, ADMINS, Menu.ADMINS, section="rules"),
    Command("reclassify", admin_topics.reclassify, ADMINS, Menu.ADMINS, section="rules"),
    Command("stats", admin_oversight.stats, ADMINS, Menu.ADMINS, section="oversight"),
    Command("audit", admin_oversight.audit, ADMINS, Menu.ADMINS, section="oversight"),
    Command("addadmin", admin_oversight.addadmin, ADMINS, Menu.ADMINS, section="oversight"),
    Command("removeadmin", admin_oversight.removeadmin, ADMINS, Menu.ADMINS, section="oversight"),
    Command("story", admin_stories.story_command, ADMINS, Menu.ADMINS, section="stories"),
    Command("split", admin_stories.split, ADMINS, Menu.ADMINS, section="stories"),
)
