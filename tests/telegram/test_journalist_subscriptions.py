"""What a journalist types to subscribe, through the real bot and the local Bot API server."""

from __future__ import annotations

import json

from tests.helpers.botapi import SentMessage, callback_update, message_update
from tests.telegram.conftest import TERROR, Newsroom

AR_USER, EN_USER, MEMBER = 2001, 2002, 2003
GROUP = -1002000


async def tap(
    newsroom: Newsroom, message: SentMessage, data: str, user_id: int, **kwargs: object
) -> str | None:
    """Press an inline button under a bot message; return the callback answer's text."""
    before = len(newsroom.api.calls_of("answerCallbackQuery"))
    chat_id = int(message.chat_id)
    update = callback_update(data, chat_id, user_id, message.message_id, **kwargs)  # type: ignore[arg-type]
    newsroom.api.queue_update(update)
    calls = await newsroom.api.wait_for_calls("answerCallbackQuery", before + 1)
    text = calls[before].params.get("text")
    return str(text) if text is not None else None


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    """(label, callback data) of every inline button, in order."""
    markup = message.reply_markup or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


async def test_start_and_help_in_arabic_and_english(newsroom: Newsroom) -> None:
    ar = await newsroom.command("/start", AR_USER, language_code="ar")
    assert "مرصد" in ar.plain_text and "الإرهاب" in ar.plain_text
    assert "/search" in ar.plain_text and "/subscribe" in ar.plain_text
    en = await newsroom.command("/start", EN_USER, language_code="en")
    assert "Marsad" in en.plain_text and "Terrorism" in en.plain_text
    assert "terrorism" in en.plain_text  # the id beside the name
    help_en = await newsroom.command("/help", EN_USER, language_code="en")
    for command in (
        "topics",
        "subscribe",
        "unsubscribe",
        "mysubs",
        "search",
        "digest",
        "timezone",
        "mute",
        "why",
        "lang",
    ):
        assert f"/{command}" in help_en.plain_text, command
    help_ar = await newsroom.command("/help", AR_USER, language_code="ar")
    assert "الأوامر" in help_ar.plain_text and "/digest daily 08:00" in help_ar.plain_text


async def test_keyboard_toggles_subscriptions_with_short_callback_data(newsroom: Newsroom) -> None:
    store = newsroom.marsad.store
    prompt = await newsroom.command("/subscribe", EN_USER, language_code="en")
    assert prompt.plain_text.startswith("Usage: /subscribe")
    found = buttons(prompt)
    assert "▫️ Terrorism" in [label for label, _ in found]
    assert len(found) == len(newsroom.marsad.topics.topics)
    assert all(len(data.encode()) <= 64 for _, data in found)
    terror = next(data for label, data in found if "Terrorism" in label)

    answer = await tap(newsroom, prompt, terror, EN_USER, language_code="en")
    assert answer == "Subscribed: Terrorism"
    assert await store.subscriptions(EN_USER) == ["terrorism"]
    await newsroom.api.wait_for_calls("editMessageText", 1)
    assert "✅ Terrorism" in [label for label, _ in buttons(prompt)]  # the same message, redrawn

    answer = await tap(newsroom, prompt, terror, EN_USER, language_code="en")
    assert answer == "Unsubscribed: Terrorism"
    assert await store.subscriptions(EN_USER) == []

    stale = await tap(newsroom, prompt, "sub:no_such_topic", EN_USER, language_code="en")
    assert stale is not None and "out of date" in stale


async def test_subscribe_and_unsubscribe_by_id_or_name_in_either_language(
    newsroom: Newsroom,
) -> None:
    store = newsroom.marsad.store
    reply = await newsroom.command("/subscribe إرهاب cybersecurity", AR_USER)
    assert "تم الاشتراك" in reply.plain_text and "الإرهاب" in reply.plain_text
    assert await store.subscriptions(AR_USER) == ["cybersecurity", "terrorism"]
    reply = await newsroom.command("/unsubscribe Terrorism", AR_USER)
    assert "أُلغي الاشتراك" in reply.plain_text
    assert await store.subscriptions(AR_USER) == ["cybersecurity"]
    reply = await newsroom.command("/unsubscribe", AR_USER)
    assert reply.plain_text.startswith("الاستعمال: /unsubscribe")
    assert ("✅ " + newsroom.marsad.topics.name("cybersecurity", "ar")) in [
        label for label, _ in buttons(reply)
    ]
    mysubs = await newsroom.command("/mysubs", AR_USER)
    assert "cybersecurity" in mysubs.plain_text and "terrorism" not in mysubs.plain_text
    assert "فرادى" in mysubs.plain_text and "UTC" in mysubs.plain_text


async def test_topics_marks_what_this_chat_follows(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", EN_USER, language_code="en")
    reply = await newsroom.command("/topics", EN_USER, language_code="en")
    lines = reply.plain_text.splitlines()
    assert any(line.startswith("✅") and "terrorism" in line for line in lines)
    assert any(line.startswith("▫️") and "cybersecurity" in line for line in lines)


async def test_only_group_admins_change_subscriptions_and_status_is_cached(
    newsroom: Newsroom,
) -> None:
    api, store = newsroom.api, newsroom.marsad.store
    api.add_chat(GROUP, "supergroup", title="Desk")
    api.set_member(GROUP, EN_USER, "administrator")
    api.set_member(GROUP, MEMBER, "member")
    group = {"chat_type": "supergroup", "language_code": "en"}
    prompt = await newsroom.command("/subscribe", GROUP, EN_USER, **group)
    await newsroom.command("/subscribe cybersecurity", GROUP, EN_USER, **group)
    assert len(api.calls_of("getChatMember")) == 1  # asked once, then cached

    refused = await newsroom.command("/unsubscribe cybersecurity", GROUP, MEMBER, **group)
    assert "only the group's admins" in refused.plain_text
    terror = next(data for label, data in buttons(prompt) if "Terrorism" in label)
    answer = await tap(newsroom, prompt, terror, MEMBER, language_code="en", chat_type="supergroup")
    assert answer is not None and "only the group's admins" in answer
    assert await store.subscriptions(GROUP) == ["cybersecurity"]
    # Reading is for everyone.
    mysubs = await newsroom.command("/mysubs", GROUP, MEMBER, **group)
    assert "cybersecurity" in mysubs.plain_text


async def test_commands_addressed_to_the_bot_work_and_others_are_ignored(
    newsroom: Newsroom,
) -> None:
    api = newsroom.api
    api.add_chat(GROUP, "supergroup", title="Desk")
    api.set_member(GROUP, EN_USER, "creator")
    group = {"chat_type": "supergroup", "language_code": "en"}
    reply = await newsroom.command("/subscribe@marsad_test_bot terrorism", GROUP, EN_USER, **group)
    assert reply.plain_text.startswith("Subscribed to")
    before = len(api.sent_to(GROUP))
    for text in ("/subscribe@OtherBot terrorism", "/frobnicate", "/frobnicate@OtherBot"):
        api.queue_update(message_update(text, GROUP, EN_USER, **group))  # type: ignore[arg-type]
    reply = await newsroom.command("/frobnicate@marsad_test_bot", GROUP, EN_USER, **group)
    assert reply.plain_text == "Unknown command. Commands: /help"
    assert len(api.sent_to(GROUP)) == before + 1  # only the addressed unknown command


async def test_forum_topics_keep_their_own_subscriptions(newsroom: Newsroom) -> None:
    api, store = newsroom.api, newsroom.marsad.store
    api.add_chat(GROUP, "supergroup", title="غرفة الأخبار", is_forum=True)
    api.set_member(GROUP, AR_USER, "administrator")
    forum = {"chat_type": "supergroup", "is_forum": True}
    await newsroom.command("/subscribe terrorism", GROUP, AR_USER, thread_id=77, **forum)
    other = await newsroom.command("/mysubs", GROUP, AR_USER, thread_id=78, **forum)
    assert "غير مشتركة" in other.plain_text
    assert other.message_thread_id == 78  # the answer stays in its forum topic
    assert await store.subscriptions(GROUP, thread_id=77) == ["terrorism"]
    await newsroom.publish(TERROR)
    alert = api.sent_to(GROUP)[-1]
    assert alert.message_thread_id == 77 and TERROR.title in alert.plain_text


async def test_menus_are_set_per_language_and_scope(newsroom: Newsroom) -> None:
    menus = newsroom.api.commands
    private = json.dumps({"type": "all_private_chats"}, sort_keys=True)
    admins = json.dumps({"type": "all_chat_administrators"}, sort_keys=True)
    members = json.dumps({"type": "all_group_chats"}, sort_keys=True)
    for scope in (private, admins):
        for language in ("ar", "en"):
            names = [c["command"] for c in menus[(scope, language)]]
            assert {"subscribe", "search", "digest", "why", "lang"} <= set(names)
    assert menus[(private, "ar")][0]["description"] == "ترحيب والمواضيع"
    assert menus[(private, "en")][0]["description"] == "Welcome and topics"
    member_names = {c["command"] for c in menus[(members, "en")]}
    assert "search" in member_names and "subscribe" not in member_names
    assert (private, "") in menus  # users of other languages get the English menu


async def test_wrong_arguments_get_one_line_usage(newsroom: Newsroom) -> None:
    for text, start in (
        ("/digest weekly", "Usage: /digest"),
        ("/digest daily 25:00", "Usage: /digest"),
        ("/mute forever", "Usage: /mute"),
        ("/mute 500", "Usage: /mute"),
        ("/lang fr", "Usage: /lang"),
        ("/timezone", "Usage: /timezone"),
        ("/search", "Usage: /search"),
        ("/why", "Reply to an alert"),
        ("/subscribe horoscopes", "Unknown topics: horoscopes"),
    ):
        reply = await newsroom.command(text, EN_USER, language_code="en")
        assert reply.plain_text.startswith(start), (text, reply.plain_text)
        assert "\n" not in reply.plain_text, text
