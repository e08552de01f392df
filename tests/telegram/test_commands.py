"""Commands do what the sender meant, once: new messages only, paced per user, replies
within Telegram's limits, chats served side by side."""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

from bot.services.admins import is_admin
from tests.helpers.botapi import message_update
from tests.telegram.admin_fixtures import (  # noqa: F401 - fixtures
    ADMIN,
    admin_newsroom,
    files_api,
)
from tests.telegram.conftest import Newsroom

NEWCOMER = 7004


async def test_an_edited_command_never_runs_again(admin_newsroom: Newsroom) -> None:
    marsad, api = admin_newsroom.marsad, admin_newsroom.api
    edited = message_update(f"/addadmin {NEWCOMER}", ADMIN, ADMIN, language_code="en")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = edited["edited_message"]["date"]
    api.queue_update(edited)
    unknown = message_update("/nosuchcommand", ADMIN, ADMIN, language_code="en")
    unknown["edited_message"] = unknown.pop("message")
    api.queue_update(unknown)

    # A new message queued after the edits: once it is answered, the edits were handled.
    reply = await admin_newsroom.command("/adminhelp", ADMIN, language_code="en")

    assert reply.plain_text.startswith("Admins' commands")
    assert [m.plain_text for m in api.sent_to(ADMIN)] == [reply.plain_text]
    assert not await is_admin(marsad.store, marsad.settings.admin_ids, NEWCOMER)
