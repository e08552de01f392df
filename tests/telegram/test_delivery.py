"""Alerts reach exactly the chats that asked for them, once, as valid Telegram HTML."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot.storage import schema
from tests.helpers.botapi import Failure
from tests.telegram.conftest import CYBER, TERROR, Newsroom

AR_USER, EN_USER, IDLE_USER = 1001, 1002, 1003


async def test_subscribed_chats_receive_exactly_their_topics(newsroom: Newsroom) -> None:
    reply = await newsroom.command("/subscribe terrorism", AR_USER, language_code="ar")
    assert "تم الاشتراك" in reply.plain_text
    reply = await newsroom.command("/subscribe cybersecurity", EN_USER, language_code="en")
    assert reply.plain_text.startswith("Subscribed to")
    await newsroom.command("/start", IDLE_USER, language_code="en")

    await newsroom.publish(TERROR, CYBER)

    [to_ar] = newsroom.api.sent_to(AR_USER)[1:]
    [to_en] = newsroom.api.sent_to(EN_USER)[1:]
    assert len(newsroom.api.sent_to(IDLE_USER)) == 1  # only the /start answer
    assert "#إرهاب" in to_ar.plain_text and TERROR.title in to_ar.plain_text
    assert "#cybersecurity" in to_en.plain_text and CYBER.title in to_en.plain_text
    for message in (to_ar, to_en):
        assert message.parse_mode == "HTML" and message.link_preview_disabled
        assert any(e["type"] == "bold" for e in message.entities)
    assert "&amp;" in to_en.text  # feed text is escaped
    stats = await newsroom.marsad.store.stats()
    assert (stats.alerts_sent, stats.alerts_pending) == (2, 0)

    await newsroom.publish(TERROR, CYBER)  # nothing new: nothing more is sent
    assert len(newsroom.api.sent_to(AR_USER)) == 2


async def test_subscribe_by_arabic_name_and_in_forum_topic(newsroom: Newsroom) -> None:
    group = -100500
    newsroom.api.add_chat(group, "supergroup", title="غرفة الأخبار", is_forum=True)
    newsroom.api.set_member(group, AR_USER, "administrator")
    reply = await newsroom.command(
        "/subscribe إرهاب", group, AR_USER, chat_type="supergroup", thread_id=77, is_forum=True
    )
    assert "تم الاشتراك" in reply.plain_text
    await newsroom.publish(TERROR)
    [alert] = newsroom.api.sent_to(group)[1:]
    assert alert.message_thread_id == 77


async def test_group_members_who_are_not_admins_cannot_subscribe(newsroom: Newsroom) -> None:
    group = -100600
    newsroom.api.add_chat(group, "supergroup", title="Desk")
    newsroom.api.set_member(group, EN_USER, "member")
    reply = await newsroom.command(
        "/subscribe terrorism", group, EN_USER, chat_type="supergroup", language_code="en"
    )
    assert "only the group's admins" in reply.plain_text
    assert await newsroom.marsad.store.subscriptions(group) == []


async def test_wrong_arguments_and_unknown_commands_get_usage(newsroom: Newsroom) -> None:
    reply = await newsroom.command("/subscribe", EN_USER, language_code="en")
    assert reply.plain_text.startswith("Usage: /subscribe")
    reply = await newsroom.command("/subscribe horoscopes", EN_USER, language_code="en")
    assert "Unknown topics: horoscopes" in reply.plain_text and "terrorism" in reply.plain_text
    reply = await newsroom.command("/frobnicate", EN_USER, language_code="en")
    assert reply.plain_text.startswith("Unknown command")


async def test_429_is_waited_out_and_the_same_message_retried(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", AR_USER)
    newsroom.api.fail_next("sendMessage", Failure.retry_after(1), chat_id=AR_USER)
    await newsroom.publish(TERROR)
    [alert] = newsroom.api.sent_to(AR_USER)[1:]
    assert TERROR.title in alert.plain_text
    statuses = [
        c.status for c in newsroom.api.calls_of("sendMessage") if c.params["chat_id"] == AR_USER
    ][1:]
    assert statuses == [429, 200]


async def test_blocked_chat_is_deactivated_with_its_reason(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", AR_USER)
    newsroom.api.block(AR_USER)
    await newsroom.publish(TERROR)
    store = newsroom.marsad.store
    stats = await store.stats()
    assert (stats.alerts_failed, stats.alerts_pending) == (1, 0)
    async with store.engine.connect() as conn:
        chats = schema.chats.c
        query = select(chats.active, chats.deactivated_reason).where(chats.id == AR_USER)
        active, reason = (await conn.execute(query)).one()
    assert not active and reason.startswith("forbidden:")
    newsroom.api.unblock(AR_USER)
    later = replace(
        TERROR,
        guid="t2",
        title="هجوم إرهابي ثان يتبناه تنظيم داعش قرب الحدود",
        link="https://news.example/terror-2",
    )
    await newsroom.publish(TERROR, later)  # a deactivated chat gets no new alert
    assert len(newsroom.api.sent_to(AR_USER)) == 1


async def test_migrated_group_moves_its_subscriptions(newsroom: Newsroom) -> None:
    old, new = -4242, -1004242
    newsroom.api.add_chat(old, "group", title="Desk")
    newsroom.api.set_member(old, AR_USER, "administrator")
    await newsroom.command("/subscribe terrorism", old, AR_USER, chat_type="group")
    newsroom.api.migrate_chat(old, new)
    await newsroom.publish(TERROR)
    [alert] = newsroom.api.sent_to(new)
    assert TERROR.title in alert.plain_text
    assert await newsroom.marsad.store.subscriptions(new) == ["terrorism"]
    assert await newsroom.marsad.store.subscriptions(old) == []


async def test_server_errors_are_retried(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", AR_USER)
    newsroom.api.fail_next("sendMessage", Failure.server_error(502), times=2, chat_id=AR_USER)
    await newsroom.publish(TERROR)
    assert len(newsroom.api.sent_to(AR_USER)) == 2
