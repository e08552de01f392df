"""/search through the real bot: Arabic-aware, five a page with buttons, plain answers."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.helpers.botapi import SentMessage, callback_update
from tests.helpers.rss import Item
from tests.telegram.conftest import CYBER, START, TERROR, Newsroom

AR_USER, EN_USER = 3001, 3002
CITIES = ("الموصل", "الرقة", "تدمر", "سرت", "درنة", "بنغازي", "حلب")


DEAD = (12, 7, 30, 4, 9, 21, 15)


def stories(count: int) -> list[Item]:
    """count distinct stories about an attack (own city, own toll: not one story), newest last."""
    return [
        Item(
            f"s{n}",
            f"تفجير إرهابي يستهدف سوقاً في {CITIES[n]} ويقتل {DEAD[n]}",
            f"قالت الشرطة إن التفجير في {CITIES[n]} أوقع {DEAD[n]} قتيلاً، وتبنّاه تنظيم داعش.",
            f"https://news.example/story-{n}",
            START + timedelta(minutes=n),
        )
        for n in range(count)
    ]


def visible(message: SentMessage) -> str:
    """A message's text without the bidi isolates around numbers and names."""
    return message.plain_text.replace("\u2068", "").replace("\u2069", "")


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    """(label, callback data) of every inline button."""
    markup = message.reply_markup or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = markup.get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def test_search_finds_the_plain_form_from_any_spelling(newsroom: Newsroom) -> None:
    await newsroom.publish(TERROR, CYBER)
    for query in ("الارهابي", "الإرهابي", "الإِرْهَابِيّ", "الإرهـــابي"):
        reply = await newsroom.command(f"/search {query}", AR_USER)
        assert TERROR.title in reply.plain_text, query
        assert CYBER.title not in reply.plain_text
    reply = await newsroom.command("/search ransomware hospital", EN_USER, language_code="en")
    assert reply.plain_text.startswith("Results 1–1 for")
    assert CYBER.title in reply.plain_text and "Local" in reply.plain_text  # the source
    assert "29 Nov 2026" in reply.plain_text  # the date, in the chat's zone
    links = [e["url"] for e in reply.entities if e["type"] == "text_link"]
    assert links == [CYBER.link]
    assert reply.reply_markup is None  # one result: no next page


async def test_five_results_then_a_button_for_the_next_five(newsroom: Newsroom) -> None:
    items = stories(7)
    await newsroom.publish(*items)
    first = await newsroom.command("/search تفجير سوق", AR_USER)
    assert first.plain_text.startswith("نتائج 1–5")
    shown = [i for i in items if i.title in visible(first)]
    assert len(shown) == 5
    [(label, data)] = buttons(first)
    assert label == "الخمسة التالية ›" and len(data.encode()) <= 64

    newsroom.api.queue_update(callback_update(data, AR_USER, AR_USER, first.message_id))
    await newsroom.api.wait_for_calls("editMessageText", 1)
    assert first.plain_text.startswith("نتائج 6–7")  # the same message, edited
    rest = [i for i in items if i.title in visible(first)]
    assert len(rest) == 2 and not set(rest) & set(shown)
    [(label, back)] = buttons(first)
    assert label == "‹ السابقة"
    newsroom.api.queue_update(callback_update(back, AR_USER, AR_USER, first.message_id))
    await newsroom.api.wait_for_calls("editMessageText", 2)
    assert first.plain_text.startswith("نتائج 1–5")


async def test_filters_narrow_and_an_empty_result_suggests_dropping_one(
    newsroom: Newsroom,
) -> None:
    await newsroom.publish(TERROR, CYBER)
    reply = await newsroom.command("/search هجوم topic:terrorism", AR_USER)
    assert TERROR.title in reply.plain_text
    reply = await newsroom.command("/search attack topic:terrorism", EN_USER, language_code="en")
    assert reply.plain_text.startswith("Nothing found for")
    assert "dropping a filter" in reply.plain_text
    reply = await newsroom.command("/search attack lang:en since:2h", EN_USER, language_code="en")
    assert CYBER.title in reply.plain_text
    newsroom.clock.now += timedelta(days=3)
    reply = await newsroom.command("/search attack since:24h", EN_USER, language_code="en")
    assert reply.plain_text.startswith("Nothing found")
    reply = await newsroom.command("/search topic:cybersecurity", EN_USER, language_code="en")
    assert CYBER.title in reply.plain_text  # filters alone: the newest articles
    reply = await newsroom.command("/search غواصة", AR_USER)
    assert reply.plain_text.startswith("لا نتائج") and "كلمة" in reply.plain_text


async def test_malformed_queries_get_plain_answers(newsroom: Newsroom) -> None:
    await newsroom.publish(TERROR)
    en = {"language_code": "en"}
    reply = await newsroom.command('/search "ISIS attack', EN_USER, **en)
    assert reply.plain_text.startswith("A quote is not closed")
    reply = await newsroom.command("/search «داعش", AR_USER)
    assert reply.plain_text.startswith("علامة تنصيص غير مغلقة")
    reply = await newsroom.command("/search ( ) * - :", EN_USER, **en)
    assert reply.plain_text.startswith("Nothing to search for")
    reply = await newsroom.command("/search داعش AND OR NOT ( NEAR* ^", AR_USER)
    # Searched as plain words, no syntax error: no article has "and", "or", "not" and "near".
    assert reply.plain_text.startswith("لا نتائج")
    reply = await newsroom.command("/search داعش since:soon", EN_USER, **en)
    assert reply.plain_text == "Unclear period: soon. Use since:24h or since:7d"
    reply = await newsroom.command("/search داعش topic:", EN_USER, **en)
    assert reply.plain_text.startswith("Usage: /search")
    reply = await newsroom.command("/search داعش lang:de", EN_USER, **en)
    assert reply.plain_text.startswith("Unsupported language: de")
    reply = await newsroom.command("/search داعش topic:<b>", EN_USER, **en)
    assert reply.plain_text.startswith("Unknown topics: <b>")  # escaped, shown as typed
    reply = await newsroom.command('/search "داعش" الهجوم', AR_USER)
    assert TERROR.title in reply.plain_text  # balanced quotes are fine


async def test_an_expired_page_button_says_so(newsroom: Newsroom) -> None:
    before = len(newsroom.api.calls_of("answerCallbackQuery"))
    newsroom.api.queue_update(
        callback_update("srch:gone:5", EN_USER, EN_USER, 1, language_code="en")
    )
    [*_, answer] = await newsroom.api.wait_for_calls("answerCallbackQuery", before + 1)
    assert answer.params["text"] == "This search has expired; send /search again."


async def test_very_long_headlines_still_fit_one_message(newsroom: Newsroom) -> None:
    long = [
        Item(
            f"l{n}",
            f"عاجل {n} " + f"بيان طويل من {CITIES[n]} عن مؤتمر المناخ " * 80,  # six stories
            f"نص عن {CITIES[n]}",
            f"https://news.example/long-{n}",
            START + timedelta(minutes=n),
        )
        for n in range(6)
    ]
    await newsroom.publish(*long)
    reply = await newsroom.command("/search مؤتمر المناخ", AR_USER)
    assert reply.plain_text.startswith("نتائج 1–5")  # the server refuses over 4,096
