"""One alert per story: several outlets reporting one event send one message."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs import edit_stories
from tests.helpers.botapi import Failure
from tests.helpers.rss import Item, rss
from tests.telegram.conftest import START, Newsroom

USER = 2001


def report(n: int, host: str, title: str, text: str, minutes: int) -> Item:
    """One outlet's report, published `minutes` after the newsroom's start."""
    return Item(
        f"s{n}", title, text, f"https://{host}/news/{n}", START + timedelta(minutes=minutes)
    )


BOMBING = (
    report(
        1,
        "okaz.example",
        "تفجير إرهابي يستهدف مسجدا في مدينة أبها وداعش يتبنى الهجوم",
        "استهدف تفجير إرهابي مسجدا في مدينة أبها جنوب المملكة، وأعلن تنظيم داعش الإرهابي "
        "مسؤوليته عن الهجوم الذي أسفر عن مقتل 15 شخصا.",
        1,
    ),
    report(
        2,
        "alriyadh.example",
        "داعش يتبنى تفجير مسجد أبها الإرهابي ومقتل 15",
        "تبنى تنظيم داعش الإرهابي التفجير الذي استهدف مسجدا في أبها وأدى إلى مقتل 15 شخصا، "
        "فيما أدانت الحكومة الهجوم الإرهابي.",
        3,
    ),
    report(
        3,
        "alwatan.example",
        "مقتل 15 في تفجير إرهابي بمسجد في أبها تبناه تنظيم داعش",
        "قتل 15 شخصا في تفجير إرهابي استهدف مسجدا في مدينة أبها، وأعلن تنظيم داعش مسؤوليته "
        "عن الهجوم الإرهابي.",
        5,
    ),
)
KIDNAPPING = report(
    4,
    "okaz.example",
    "خلية إرهابية تخطف رهائن في ميناء جدة وقوات الأمن تطوق الموقع",
    "اختطفت خلية إرهابية مسلحة ثلاثة رهائن في ميناء جدة الإسلامي، وطوقت قوات الأمن الموقع "
    "بعد تبادل لإطلاق النار مع الإرهابيين.",
    7,
)


async def test_several_outlets_send_one_message_and_a_second_event_its_own(
    newsroom: Newsroom,
) -> None:
    await newsroom.command("/subscribe terrorism", USER, language_code="ar")

    await newsroom.publish(*BOMBING)
    [alert] = newsroom.api.sent_to(USER)[1:]
    assert BOMBING[0].title in alert.plain_text

    await newsroom.publish(*BOMBING, KIDNAPPING)
    [_, second] = newsroom.api.sent_to(USER)[1:]
    assert KIDNAPPING.title in second.plain_text


async def poll(newsroom: Newsroom, *items: Item, after: timedelta) -> None:
    """Put items in the feed and run one cycle `after` later (the feed polls each minute)."""
    newsroom.feeds.static("/feed.xml", rss(list(items)))
    newsroom.clock.now += after
    await newsroom.marsad.cycle()


def edits(newsroom: Newsroom) -> list[str]:
    """The texts of the accepted edits, in order."""
    return [c.params["text"] for c in newsroom.api.calls_of("editMessageText") if c.ok]


async def test_later_reports_edit_the_alert_in_place_at_most_once_a_minute(
    newsroom: Newsroom,
) -> None:
    await newsroom.command("/subscribe terrorism", USER, language_code="ar")
    await newsroom.publish(BOMBING[0])
    [alert] = newsroom.api.sent_to(USER)[1:]

    await poll(newsroom, *BOMBING[:2], after=timedelta(minutes=2))
    newsroom.clock.now += timedelta(seconds=30)
    assert await edit_stories(newsroom.marsad) == 1
    [first] = edits(newsroom)
    assert "+1 مصادر" in first and 'href="https://alriyadh.example/news/2"' in first
    assert BOMBING[0].title in first  # the original alert, grown

    # The third report comes 40 s after the edit: it waits for the minute to pass.
    await poll(newsroom, *BOMBING, after=timedelta(seconds=40))
    assert await edit_stories(newsroom.marsad) == 0
    newsroom.clock.now += timedelta(seconds=25)
    assert await edit_stories(newsroom.marsad) == 2  # the edit, and (3 outlets) breaking
    assert await edit_stories(newsroom.marsad) == 0  # nothing grew since
    [_, second] = edits(newsroom)
    assert "+2 مصادر" in second and "alwatan.example" in second
    [edited, breaking] = newsroom.api.sent_to(USER)[1:]  # no new alert: one message, edited
    assert edited is alert and "+2 مصادر" in alert.plain_text
    assert breaking.plain_text.startswith("🔴 عاجل: ")


async def test_an_alert_that_cannot_be_edited_gets_a_short_reply(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", USER, language_code="ar")
    await newsroom.publish(BOMBING[0])
    [alert] = newsroom.api.sent_to(USER)[1:]
    await poll(newsroom, *BOMBING[:2], after=timedelta(minutes=2))
    newsroom.api.fail_next("editMessageText", Failure.bad_request("message to edit not found"))
    assert await edit_stories(newsroom.marsad) == 1
    [_, reply] = newsroom.api.sent_to(USER)[1:]
    assert reply.plain_text.startswith("➕ +1 مصادر")
    [call] = [c for c in newsroom.api.calls_of("sendMessage") if "reply_parameters" in c.params]
    assert call.params["reply_parameters"]["message_id"] == alert.message_id
    assert await edit_stories(newsroom.marsad) == 0  # the growth was told once


async def test_three_outlets_within_half_an_hour_mark_the_story_breaking_once(
    newsroom: Newsroom,
) -> None:
    await newsroom.command("/subscribe terrorism", USER, language_code="ar")
    await newsroom.publish(*BOMBING)  # three outlets within five minutes
    [alert] = newsroom.api.sent_to(USER)[1:]
    newsroom.clock.now += timedelta(minutes=1)
    assert await edit_stories(newsroom.marsad) == 2  # the edit and the reply
    assert alert.plain_text.startswith("🔴 عاجل\n") and "+2 مصادر" in alert.plain_text
    [_, reply] = newsroom.api.sent_to(USER)[1:]
    assert reply.plain_text.startswith("🔴 عاجل: ") and BOMBING[0].title in reply.plain_text
    assert reply.disable_notification is False
    [call] = [c for c in newsroom.api.calls_of("sendMessage") if "reply_parameters" in c.params]
    assert call.params["reply_parameters"]["message_id"] == alert.message_id

    later = report(5, "sabq.example", "الحكومة تدين تفجير مسجد أبها الإرهابي", "أدانت.", 20)
    await poll(newsroom, *BOMBING, later, after=timedelta(minutes=2))
    assert await edit_stories(newsroom.marsad) == 1  # an edit, no second reply
    assert len(newsroom.api.sent_to(USER)) == 3
    assert alert.plain_text.startswith("🔴 عاجل\n") and "+3 مصادر" in alert.plain_text


async def test_quiet_chats_get_routine_alerts_without_sound_and_breaking_with_it(
    newsroom: Newsroom,
) -> None:
    await newsroom.command("/subscribe terrorism", USER, language_code="ar")
    reply = await newsroom.command("/quiet on", USER, language_code="ar")
    assert reply.plain_text.startswith("تصل التنبيهات العادية الآن بلا صوت")
    await newsroom.publish(*BOMBING)
    [alert] = newsroom.api.sent_to(USER)[2:]
    assert alert.disable_notification is True
    newsroom.clock.now += timedelta(minutes=1)
    assert await edit_stories(newsroom.marsad) == 2
    [_, breaking] = newsroom.api.sent_to(USER)[2:]
    assert breaking.plain_text.startswith("🔴 عاجل: ") and breaking.disable_notification is False

    await newsroom.command("/quiet off", USER, language_code="ar")
    await newsroom.publish(KIDNAPPING)
    assert not newsroom.api.sent_to(USER)[-1].disable_notification


async def test_breaking_is_set_per_chat_and_can_be_turned_off(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", USER, language_code="en")
    reply = await newsroom.command("/breaking 4 10", USER, language_code="en")
    assert reply.plain_text == "A story is breaking once 4 outlets report it within 10 min."
    reply = await newsroom.command("/breaking 1 10", USER, language_code="en")
    assert reply.plain_text.startswith("Usage: /breaking")
    await newsroom.publish(*BOMBING)  # three outlets: not breaking for this chat
    newsroom.clock.now += timedelta(minutes=1)
    assert await edit_stories(newsroom.marsad) == 1  # the growth, no mark, no reply
    [alert] = newsroom.api.sent_to(USER)[3:]
    assert not alert.plain_text.startswith("🔴") and "+2 outlets" in alert.plain_text
    reply = await newsroom.command("/breaking off", USER, language_code="en")
    assert reply.plain_text == "Stories are no longer marked breaking in this chat."
    settings = await newsroom.marsad.store.chat_settings(USER)
    assert settings is not None and settings.breaking_outlets == 0
