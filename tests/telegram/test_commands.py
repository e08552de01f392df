"""Commands do what the sender meant, once: new messages only, paced per user, replies
within Telegram's limits, chats served side by side."""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.delivery.limiter import CommandPace, ReplyPace
from bot.services.admins import is_admin
from handlers.pacing import CommandPacer, Verdict
from tests.helpers.botapi import BotApiServer, message_update
from tests.helpers.botapi_files import FileBotApiServer
from tests.telegram.admin_fixtures import (  # noqa: F401 - fixtures
    ADMIN,
    admin_newsroom,
    files_api,
)
from tests.telegram.conftest import Newsroom, running_newsroom

NEWCOMER = 7004
USER = 7401
OTHER_USER = 7402


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


def test_a_user_gets_a_burst_then_one_command_per_interval_and_one_warning_per_spell() -> None:
    pacer = CommandPacer(CommandPace(burst=5, interval=2.5))
    now = 1_800_000_000.0

    verdicts = [pacer.admit(USER, now) for _ in range(8)]

    assert verdicts == [Verdict.RUN] * 5 + [Verdict.WARN] + [Verdict.DROP] * 2
    assert pacer.admit(OTHER_USER, now) is Verdict.RUN  # buckets are per user
    now += 2.5
    assert [pacer.admit(USER, now) for _ in range(2)] == [Verdict.RUN, Verdict.DROP]  # told
    assert pacer.admit(USER, now - 1) is Verdict.DROP  # a late update earns nothing
    now += 5 * 2.5  # quiet long enough to refill: the spell is over
    assert [pacer.admit(USER, now) for _ in range(6)] == [Verdict.RUN] * 5 + [Verdict.WARN]


async def test_commands_beyond_the_pace_are_dropped_with_one_reply_in_the_users_language(
    tmp_path: Path, files_api: FileBotApiServer
) -> None:
    # An hour per command: after the burst nothing refills while the test runs.
    pace = CommandPace(burst=2, interval=3600.0)
    async with running_newsroom(tmp_path, files_api, admin_ids=(ADMIN,), commands=pace) as room:
        api, marsad = room.api, room.marsad
        for text in ("/help", "/mysubs", "/stats", f"/addadmin {NEWCOMER}", "/search داعش"):
            api.queue_update(message_update(text, ADMIN, ADMIN, language_code="ar"))
        await api.wait_for_messages(3, chat_id=ADMIN)
        assert marsad.telegram is not None
        await marsad.telegram.update_queue.join()  # every queued update was handled

        replies = [m.plain_text for m in api.sent_to(ADMIN)]
        assert len(replies) == 3
        assert replies[0].startswith("الأوامر") and replies[2].startswith("مهلاً")
        # Admins' commands count too: /addadmin was dropped.
        assert not await is_admin(marsad.store, marsad.settings.admin_ids, NEWCOMER)
        # Another user has a pace of their own.
        other = await room.command("/help", OTHER_USER, language_code="en")
        assert other.plain_text.startswith("Commands")


async def test_a_burst_of_200_searches_gets_a_few_answers_one_warning_and_no_traceback(
    tmp_path: Path, botapi_limited: BotApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # Telegram's limits enforced by the server; Marsad's real command and reply pace.
    async with running_newsroom(
        tmp_path, botapi_limited, commands=CommandPace(), replies=ReplyPace()
    ) as room:
        api, marsad = room.api, room.marsad
        for _ in range(200):
            api.queue_update(message_update("/search داعش", USER, USER, language_code="en"))
        await api.wait_for_updates_taken()
        assert marsad.telegram is not None
        await marsad.telegram.update_queue.join()  # every update handled, every reply sent

    replies = [m.plain_text for m in api.sent_to(USER)]
    warnings = [text for text in replies if text.startswith("Slow down")]
    assert len(warnings) == 1
    assert 5 <= len(replies) - 1 <= 6  # the burst (sent within a second or two)
    assert api.rate_limited <= 2
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_user_who_blocked_the_bot_costs_one_log_line(
    newsroom: Newsroom, caplog: pytest.LogCaptureFixture
) -> None:
    newsroom.api.block(USER)
    newsroom.api.queue_update(message_update("/help", USER, USER, language_code="en"))

    await newsroom.api.wait_for_calls("sendMessage")
    assert newsroom.marsad.telegram is not None
    await newsroom.marsad.telegram.update_queue.join()

    assert len(newsroom.api.calls_of("sendMessage")) == 1  # no "something went wrong" try
    [line] = [r for r in caplog.records if r.name == "handlers"]
    assert line.getMessage() == (
        f"reply to chat {USER} not sent: Forbidden: bot was blocked by the user"
    )
    assert line.exc_info is None


async def test_a_chat_waiting_on_telegram_never_holds_another_chat(newsroom: Newsroom) -> None:
    api = newsroom.api
    release = api.hold("sendMessage", chat_id=USER)  # USER's replies wait at Telegram
    api.queue_update(message_update("/help", USER, USER, language_code="en"))
    api.queue_update(message_update("/lang en", USER, USER, language_code="en"))
    await api.wait_for_held("sendMessage")

    api.queue_update(message_update("/help", OTHER_USER, OTHER_USER, language_code="en"))
    # Well within PTB's 5 s read timeout, which would otherwise free the held update.
    [other] = await api.wait_for_messages(1, chat_id=OTHER_USER, timeout=3.0)

    assert other.plain_text.startswith("Commands")
    assert api.held and not api.sent_to(USER)
    release.set()
    replies = await api.wait_for_messages(2, chat_id=USER)
    assert replies[0].plain_text.startswith("Commands")
    assert replies[1].plain_text.startswith("I will answer in English")
