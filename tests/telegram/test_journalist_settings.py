"""/digest, /timezone, /mute, /why and /lang through the real bot; the clock is moved, not slept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.jobs import DIGEST_TICK_SECONDS, digest_job
from tests.helpers.botapi import Failure, SentMessage
from tests.helpers.rss import Item
from tests.telegram.conftest import CYBER, START, TERROR, Newsroom

AR_USER, EN_USER, MEMBER = 4001, 4002, 4003
GROUP = -1004000

# Another event (its own story, so its own alert).
TERROR_2 = Item(
    "t2",
    "القبض على متهمين بتمويل الإرهاب عبر حوالات مالية في الرياض",
    "قبضت الجهات الأمنية في الرياض على أربعة متهمين بتمويل جماعات إرهابية عبر حوالات مالية "
    "مشبوهة، وأحالتهم إلى النيابة العامة.",
    "https://news.example/terror-2",
    START + timedelta(hours=3),
)


def visible(message: SentMessage) -> str:
    """A message's text without the invisible bidi isolates around times and names."""
    return message.plain_text.replace("\u2068", "").replace("\u2069", "")


def count(newsroom: Newsroom, chat_id: int) -> int:
    """Messages the bot sent to a chat so far."""
    return len(newsroom.api.sent_to(chat_id))


async def test_hourly_digest_gathers_alerts_by_topic_at_the_hour(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism cybersecurity", AR_USER)
    reply = await newsroom.command("/digest hourly", AR_USER)
    assert reply.plain_text == "ستُجمع التنبيهات في موجز واحد كل ساعة."
    before = count(newsroom, AR_USER)
    await newsroom.publish(TERROR, CYBER)  # 08:10: the send queue leaves them for the digest
    await digest_job(newsroom.marsad)
    assert count(newsroom, AR_USER) == before
    assert (await newsroom.marsad.store.stats()).alerts_pending == 2

    newsroom.clock.now = datetime(2026, 11, 29, 9, 0, 30, tzinfo=UTC)
    await digest_job(newsroom.marsad)
    [digest] = newsroom.api.sent_to(AR_USER)[before:]
    text = digest.plain_text
    assert text.startswith("🗞 موجز الأخبار")
    assert text.index("#إرهاب") < text.index(TERROR.title)
    assert text.index("#الأمن_السيبراني") < text.index(CYBER.title)
    assert (await newsroom.marsad.store.stats()).alerts_pending == 0
    await digest_job(newsroom.marsad)  # the same hour again: nothing more
    assert count(newsroom, AR_USER) == before + 1

    why = await newsroom.command("/why", AR_USER, reply_to=digest.message_id)
    assert TERROR.title in why.plain_text and CYBER.title in why.plain_text


async def test_a_digest_waits_out_429_like_any_alert(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", AR_USER)
    await newsroom.command("/digest hourly", AR_USER)
    before = count(newsroom, AR_USER)
    await newsroom.publish(TERROR)
    newsroom.clock.now = datetime(2026, 11, 29, 9, 0, 30, tzinfo=UTC)
    newsroom.api.fail_next("sendMessage", Failure.retry_after(1), chat_id=AR_USER)
    await digest_job(newsroom.marsad)  # the send queue's retry, not the next tick's
    [digest] = newsroom.api.sent_to(AR_USER)[before:]
    assert TERROR.title in digest.plain_text
    assert (await newsroom.marsad.store.stats()).alerts_pending == 0


async def test_daily_digest_comes_at_the_chats_local_time(newsroom: Newsroom) -> None:
    en = {"language_code": "en"}
    await newsroom.command("/subscribe terrorism", EN_USER, **en)
    reply = await newsroom.command("/timezone africa/casablanca", EN_USER, **en)
    assert visible(reply) == (
        "Time zone set to Africa/Casablanca (it is 29 Nov 2026, 09:00 UTC+01 there)."
    )
    reply = await newsroom.command("/digest daily 7:30", EN_USER, **en)
    assert reply.plain_text == (
        "Alerts are gathered into one digest every day at 07:30 (Africa/Casablanca)."
    )
    before = count(newsroom, EN_USER)
    await newsroom.publish(TERROR)
    newsroom.clock.now = datetime(2026, 11, 30, 6, 29, tzinfo=UTC)  # 07:29 in Casablanca
    await digest_job(newsroom.marsad)
    assert count(newsroom, EN_USER) == before
    newsroom.clock.now = datetime(2026, 11, 30, 6, 31, tzinfo=UTC)
    await digest_job(newsroom.marsad)
    [digest] = newsroom.api.sent_to(EN_USER)[before:]
    assert digest.plain_text.startswith("🗞 News digest")
    assert "30 Nov 2026, 07:31" in visible(digest) and TERROR.title in digest.plain_text
    mysubs = await newsroom.command("/mysubs", EN_USER, **en)
    assert "daily digest at 07:30" in mysubs.plain_text and "Africa/Casablanca" in mysubs.plain_text

    await newsroom.command("/digest off", EN_USER, **en)
    await newsroom.publish(TERROR_2)  # one by one again
    assert TERROR_2.title in newsroom.api.sent_to(EN_USER)[-1].plain_text


async def test_mute_holds_alerts_then_sends_them_as_one_digest(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", AR_USER)
    reply = await newsroom.command("/mute 2", AR_USER)
    assert visible(reply).startswith("التنبيهات موقوفة حتى 29/11/2026 10:00 UTC")
    before = count(newsroom, AR_USER)
    await newsroom.publish(TERROR)
    await digest_job(newsroom.marsad)
    assert count(newsroom, AR_USER) == before  # muted: nothing, not even a digest

    newsroom.clock.now = START + timedelta(hours=2, minutes=1)
    await newsroom.marsad.deliver()  # the send queue still leaves them to the digest job
    assert count(newsroom, AR_USER) == before
    await digest_job(newsroom.marsad)
    [held] = newsroom.api.sent_to(AR_USER)[before:]
    assert held.plain_text.startswith("🗞 موجز الأخبار") and TERROR.title in held.plain_text
    await newsroom.publish(TERROR_2)  # the mute is over: alerts one by one
    assert "#إرهاب" in newsroom.api.sent_to(AR_USER)[-1].plain_text
    assert count(newsroom, AR_USER) == before + 2

    await newsroom.command("/mute 1", AR_USER)
    reply = await newsroom.command("/mute 0", AR_USER)
    assert reply.plain_text == "التنبيهات لم تعد موقوفة."


async def test_why_shows_the_evidence_of_the_alert_replied_to(newsroom: Newsroom) -> None:
    subscribed = await newsroom.command("/subscribe terrorism", AR_USER)
    await newsroom.publish(TERROR)
    alert = newsroom.api.sent_to(AR_USER)[-1]
    why = await newsroom.command("/why", AR_USER, reply_to=alert.message_id)
    assert why.plain_text.startswith("لماذا أُرسل هذا التنبيه")
    assert TERROR.title in why.plain_text and "الإرهاب (terrorism، الدرجة" in why.plain_text
    assert "داعش" in why.plain_text  # the evidence itself
    why = await newsroom.command("/why", AR_USER, reply_to=subscribed.message_id)
    assert why.plain_text == "هذه الرسالة ليست تنبيهاً أرسلته في هذه المحادثة."
    why = await newsroom.command("/why", EN_USER, language_code="en")
    assert why.plain_text == "Reply to an alert with /why to see why it was sent."


async def test_lang_overrides_the_telegram_language_for_replies_and_alerts(
    newsroom: Newsroom,
) -> None:
    await newsroom.command("/subscribe terrorism", AR_USER)
    reply = await newsroom.command("/lang en", AR_USER)
    assert reply.plain_text == "I will answer in English in this chat."
    reply = await newsroom.command("/help", AR_USER)  # language_code is still ar
    assert reply.plain_text.startswith("Commands")
    await newsroom.publish(TERROR)
    assert "#terrorism" in newsroom.api.sent_to(AR_USER)[-1].plain_text
    reply = await newsroom.command("/lang ar", AR_USER, language_code="en")
    assert reply.plain_text == "سأجيب بالعربية في هذه المحادثة."


async def test_in_groups_only_admins_change_settings(newsroom: Newsroom) -> None:
    api = newsroom.api
    api.add_chat(GROUP, "supergroup", title="Desk")
    api.set_member(GROUP, EN_USER, "administrator")
    api.set_member(GROUP, MEMBER, "member")
    group = {"chat_type": "supergroup", "language_code": "en"}
    for text in ("/digest daily", "/mute 3", "/timezone Asia/Riyadh", "/lang ar"):
        reply = await newsroom.command(text, GROUP, MEMBER, **group)
        assert reply.plain_text == "In groups, only the group's admins change its settings.", text
    assert await newsroom.marsad.store.chat_settings(GROUP) is None
    reply = await newsroom.command("/timezone Asia/Riyadh", GROUP, EN_USER, **group)
    assert visible(reply) == "Time zone set to Asia/Riyadh (it is 29 Nov 2026, 11:00 UTC+03 there)."
    reply = await newsroom.command("/timezone Mars/Olympus", GROUP, EN_USER, **group)
    assert reply.plain_text.startswith("Unknown time zone: Mars/Olympus")


async def test_the_digest_job_is_scheduled_by_name(newsroom: Newsroom) -> None:
    scheduler = newsroom.marsad._schedule()
    job = scheduler.get_job("digest")
    assert job is not None and job.func == newsroom.marsad._run_job  # stoppable mid-run
    (body,) = job.args
    assert body.func is digest_job and body.args == (newsroom.marsad,)
    assert job.trigger.interval.total_seconds() == DIGEST_TICK_SECONDS
