"""Admins route topics to channels and groups where the bot may post."""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

from tests.telegram.admin_fixtures import (  # noqa: F401 - fixtures
    ADMIN,
    admin_newsroom,
    files_api,
)
from tests.telegram.conftest import CYBER, TERROR, Newsroom

CHANNEL = -1001234567890
GROUP = -1009876543210


async def test_a_channel_receives_its_routed_topics(admin_newsroom: Newsroom) -> None:
    api = admin_newsroom.api
    api.add_chat(CHANNEL, "channel", title="Desk <alerts>", username="desk_alerts")

    reply = await admin_newsroom.command(
        "/addchannel @desk_alerts terrorism", ADMIN, language_code="en"
    )

    assert reply.plain_text == "\u2068Desk <alerts>\u2069 will receive: Terrorism"
    await admin_newsroom.publish(TERROR, CYBER)
    [alert] = api.sent_to(CHANNEL)
    assert TERROR.title in alert.plain_text
    listing = await admin_newsroom.command("/channels", ADMIN, language_code="en")
    assert f"{CHANNEL}" in listing.plain_text and "terrorism" in listing.plain_text
    [entry] = await admin_newsroom.marsad.store.audit_entries()
    assert (entry.action, entry.target) == ("channel.add", str(CHANNEL))


async def test_addchannel_checks_the_bot_may_post_there(admin_newsroom: Newsroom) -> None:
    api = admin_newsroom.api
    api.add_chat(-1001, "channel", title="Member only", username="member_only", bot_status="member")
    api.add_chat(
        -1002, "channel", title="No posting", username="no_posting", can_post_messages=False
    )
    api.add_chat(-1003, "group", title="Left", bot_status="left")
    cases = {
        "/addchannel @member_only terrorism": "is not an admin of",
        "/addchannel @no_posting terrorism": "may not post in",
        "/addchannel -1003 terrorism": "is not a member of",
        "/addchannel @nowhere terrorism": "Could not find",
        f"/addchannel {ADMIN} terrorism": "is a private chat",
        "/addchannel @member_only horoscopes": "Unknown topics: horoscopes",
        "/addchannel @member_only": "Usage: /addchannel",
    }
    for text, reason in cases.items():
        reply = await admin_newsroom.command(text, ADMIN, language_code="en")
        assert reason in reply.plain_text, (text, reply.plain_text)
    assert await admin_newsroom.marsad.store.destinations() == []
    assert await admin_newsroom.marsad.store.audit_entries() == []


async def test_a_group_by_id_and_removechannel(admin_newsroom: Newsroom) -> None:
    api = admin_newsroom.api
    api.add_chat(GROUP, "supergroup", title="Newsroom")
    reply = await admin_newsroom.command(
        f"/addchannel {GROUP} terrorism cybersecurity", ADMIN, language_code="en"
    )
    assert "will receive" in reply.plain_text

    reply = await admin_newsroom.command(
        f"/removechannel {GROUP} cybersecurity", ADMIN, language_code="en"
    )
    assert reply.plain_text.startswith("Removed 1")
    await admin_newsroom.publish(CYBER)
    assert api.sent_to(GROUP) == []
    reply = await admin_newsroom.command(f"/removechannel {GROUP}", ADMIN, language_code="en")
    assert reply.plain_text.startswith("Removed 1")
    await admin_newsroom.publish(TERROR)
    assert api.sent_to(GROUP) == []
    none = await admin_newsroom.command("/channels", ADMIN, language_code="en")
    assert none.plain_text == "No channels or groups receive topics."
    actions = [e.action for e in await admin_newsroom.marsad.store.audit_entries()]
    assert actions == ["channel.remove", "channel.remove", "channel.add"]
