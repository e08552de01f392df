"""One command table: routes, menus, /help, /adminhelp and README all agree with it."""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

import re
from pathlib import Path

from telegram.ext import CommandHandler, MessageHandler

from handlers.commands import COMMANDS, Access, help_text
from handlers.menu import ADMINS_SEE, MANAGERS_SEE, MEMBERS_SEE, Menu, admin_commands, menus
from handlers.texts import LANGUAGES, TEXTS
from tests.helpers.botapi_files import document_update
from tests.telegram.admin_fixtures import (  # noqa: F401 - fixtures
    ADMIN,
    REPORTER,
    admin_newsroom,
    files_api,
    send_update,
)
from tests.telegram.conftest import Newsroom

README = Path(__file__).resolve().parents[2] / "README.md"
ADMINS_ONLY = {c.name for c in COMMANDS if c.access is Access.ADMINS}
EVERYONES = {c.name for c in COMMANDS if c.access is not Access.ADMINS}


def mentioned(text: str) -> set[str]:
    """The /commands a text names (not /removeterm for /terms, nor a URL's path)."""
    return set(re.findall(r"(?<![\w/<])/([a-z]+)(?![\w/])", text))


def test_the_table_names_each_command_once_with_menus_that_fit_its_users() -> None:
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in names)  # Telegram's rule
    for command in COMMANDS:
        # Only Marsad's admins see an admins' command; group members never see one that
        # changes their group.
        assert (command.access is Access.ADMINS) == (command.menu is Menu.ADMINS), command.name
        if command.access is Access.CHAT_ADMINS:
            assert command.menu is not Menu.ALL, command.name


async def test_every_command_of_the_table_is_routed_and_nothing_else(newsroom: Newsroom) -> None:
    assert newsroom.marsad.telegram is not None
    routes = newsroom.marsad.telegram.handlers[0]

    routed = {
        name: h.callback for h in routes if isinstance(h, CommandHandler) for name in h.commands
    }

    assert len(routed) == len([h for h in routes if isinstance(h, CommandHandler)])
    assert set(routed) == {c.name for c in COMMANDS}
    for command in COMMANDS:  # an admins' command runs behind the admin check
        guarded = getattr(routed[command.name], "__wrapped__", None) is command.handler
        assert guarded == (command.access is Access.ADMINS), command.name
    captions = [
        getattr(h.callback, "__wrapped__", h.callback)
        for h in routes
        if isinstance(h, MessageHandler) and "Caption" in str(h.filters)
    ]
    assert captions == [c.handler for c in COMMANDS if c.caption] != []


async def test_every_admins_command_of_the_table_refuses_everyone_else(
    admin_newsroom: Newsroom,
) -> None:
    for command in COMMANDS:
        reply = await admin_newsroom.command(f"/{command.name}", REPORTER, language_code="en")
        refused = reply.plain_text.startswith("Sorry, only Marsad's admins")
        assert refused == (command.access is Access.ADMINS), command.name
    document = {"file_id": "f1", "file_unique_id": "u1", "file_name": "feeds.opml"}
    caption = document_update(REPORTER, REPORTER, document, caption="/import", language_code="ar")
    assert "لمشرفي مرصد فقط" in await send_update(admin_newsroom, caption, REPORTER)
    assert await admin_newsroom.marsad.store.audit_entries() == []


def test_each_menu_lists_the_commands_its_users_may_use_in_every_language() -> None:
    by_scope: dict[tuple[str, str | None], list[str]] = {
        (scope.type, code): [entry.command for entry in entries] for scope, code, entries in menus()
    }
    for language in LANGUAGES:
        for scope, seen in (
            ("all_private_chats", MANAGERS_SEE),
            ("all_chat_administrators", MANAGERS_SEE),
            ("all_group_chats", MEMBERS_SEE),
        ):
            expected = [c.name for c in COMMANDS if c.menu in seen]
            assert by_scope[(scope, language)] == expected, (scope, language)
        entries = admin_commands(language)
        assert [e.command for e in entries] == [c.name for c in COMMANDS if c.menu in ADMINS_SEE]
        assert [e.description for e in entries] == [TEXTS[language][c.menu_key] for c in COMMANDS]
        assert all(0 < len(e.description) <= 256 for e in entries)  # Telegram's limit
    assert "help" in by_scope[("all_group_chats", None)]  # the fallback for other languages
    assert "subscribe" not in by_scope[("all_group_chats", None)]


def test_help_lists_everyones_commands_and_adminhelp_the_admins_in_every_language() -> None:
    listed = {c.name for c in COMMANDS if c.help_key is not None}
    for language in LANGUAGES:
        everyone, admins = help_text(language, admins=False), help_text(language, admins=True)

        assert mentioned(everyone) == EVERYONES & listed, language
        assert mentioned(admins) == ADMINS_ONLY & listed, language
        for command in COMMANDS:
            if command.help_key is not None:  # each line begins with its own command
                assert TEXTS[language][command.help_key].startswith(f"/{command.name}")
    assert help_text("en", admins=True).split("\n")[1].startswith("/feeds · /addfeed url")
    assert help_text("ar", admins=False).split("\n")[0] == "<b>الأوامر</b>"


def test_readme_lists_the_commands_of_the_table_with_their_users() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme.split("\n## In Telegram\n", 1)[1].split("\n## ", 1)[0]
    admins_part = section.split("\n- Admins", 1)[1].split("\n\n", 1)[0]
    everyones_part = section.replace(admins_part, "")

    assert set(re.findall(r"`/([a-z]+)", admins_part)) == ADMINS_ONLY
    assert set(re.findall(r"`/([a-z]+)", everyones_part)) == EVERYONES
