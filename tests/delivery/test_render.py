"""Rendered alerts are valid Telegram HTML, within the limit, escaped and bidi-safe."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from telegram import Bot
from telegram.constants import ParseMode

from bot.render import (
    FSI,
    MAX_MESSAGE,
    PDI,
    DigestItem,
    TopicTable,
    hashtag,
    isolate,
    render_alert,
    render_digest,
    utf16_len,
)
from classifiers import Topic
from tests.helpers.botapi import BotApiServer, parse_telegram_html
from tests.helpers.topics import BUILT_IN

PUBLISHED = datetime(2026, 11, 29, 11, 5, tzinfo=UTC)


def alert(**overrides: object) -> str:
    """An Arabic alert with sensible defaults; override any keyword."""
    fields: dict[str, object] = {
        "title": "تنظيم ISIS يتبنى هجوماً في 2025",
        "summary": "أعلن التنظيم مسؤوليته عن الهجوم الذي استهدف خوادم Microsoft صباح الأحد.",
        "url": "https://example.com/news?id=1&lang=ar",
        "source": "الجزيرة",
        "published": PUBLISHED,
        "topics": ["terrorism", "cybersecurity"],
        "language": "ar",
        "book": BUILT_IN,
    }
    fields.update(overrides)
    return render_alert(**fields)  # type: ignore[arg-type]


def plain(message: str) -> str:
    """What the reader sees: Telegram's parse of the message (validates it too)."""
    return parse_telegram_html(message)[0]


def test_layout_in_arabic() -> None:
    message = alert(tz="Asia/Riyadh", why=["داعش (title)"])
    lines = message.split("\n")
    assert lines[0] == "#إرهاب #الأمن_السيبراني"
    assert lines[1].startswith("<b>") and lines[1].endswith("</b>")
    assert "14:05" in message and "UTC+03" in message  # Riyadh is UTC+3
    assert '<a href="https://example.com/news?id=1&amp;lang=ar">' in message
    assert "الجزيرة" in lines[-3] and lines[-1].startswith("🔎 سبب التنبيه")


def test_layout_in_english() -> None:
    message = alert(language="en", topics=["arab_russia_diplomacy", "terrorism"])
    assert message.split("\n")[0] == "#arab_russia_diplomacy #terrorism"
    assert "Source: الجزيرة · 29 Nov 2026, 11:05 UTC" in plain(message).replace(FSI, "").replace(
        PDI, ""
    )
    assert "Full story" in message and "🔎" not in message


@pytest.mark.parametrize(
    ("topic", "language", "expected"),
    [
        ("terrorism", "ar", "#إرهاب"),
        ("cybersecurity", "en", "#cybersecurity"),
        ("arab_russia_diplomacy", "ar", "#دبلوماسية_عربية_روسية"),
        ("ransom-ware attacks", "ar", "#ransom_ware_attacks"),
        ("2025", "en", "#topic_2025"),
        ("<script>", "en", "#script"),
        ("!!!", "en", ""),
        ("terrorism", "fr", "#terrorism"),
    ],
)
def test_hashtags(topic: str, language: str, expected: str) -> None:
    assert hashtag(topic, language, BUILT_IN) == expected


ADMIN_TOPICS = TopicTable(
    [
        Topic(id="nuclear", names={"ar": "الطاقة النوويّة", "en": "Nuclear Energy"}),
        Topic(id="smuggling", names={"en": "Drug smuggling"}),
    ]
)


@pytest.mark.parametrize(
    ("topic", "language", "expected"),
    [
        ("nuclear", "ar", "#الطاقة_النووية"),  # the name, without its shadda
        ("nuclear", "en", "#nuclear_energy"),
        ("nuclear", "fr", "#nuclear_energy"),  # not a UI language: English
        ("smuggling", "ar", "#drug_smuggling"),  # no Arabic name: the English one
        ("terrorism", "ar", "#terrorism"),  # not in this book: its id
    ],
)
def test_an_admin_topic_is_tagged_with_its_name(topic: str, language: str, expected: str) -> None:
    assert hashtag(topic, language, ADMIN_TOPICS) == expected


def test_an_admin_topics_alert_carries_its_name_as_hashtag_in_each_ui_language() -> None:
    for language, tag in (("ar", "#الطاقة_النووية"), ("en", "#nuclear_energy")):
        message = alert(topics=["nuclear"], language=language, book=ADMIN_TOPICS)
        assert message.split("\n")[0] == tag
        (digest,) = render_digest(digest_items(2, topics=["nuclear"]), language, ADMIN_TOPICS)
        assert digest.split("\n")[1] == tag


def test_latin_and_numbers_are_isolated_in_arabic_text() -> None:
    message = alert(url="https://example.com/2025/ISIS")
    assert f"{FSI}ISIS{PDI}" in message and f"{FSI}2025{PDI}" in message
    assert f"{FSI}Microsoft{PDI}" in message
    href = re.search(r'href="([^"]*)"', message)
    assert href is not None and FSI not in href.group(1)
    assert "#إرهاب" in message and f"#{FSI}" not in message  # hashtags stay whole


def test_english_text_is_not_isolated() -> None:
    message = alert(
        title="ISIS claims attack in 2025",
        summary="Officials said so.",
        source="BBC",
        language="en",
        topics=["terrorism"],
    )
    assert FSI not in message


def test_isolation_runs() -> None:
    assert (
        isolate("قال Joe Biden في 2025 إن", rtl=True)
        == f"قال {FSI}Joe Biden{PDI} في {FSI}2025{PDI} إن"
    )
    assert (
        isolate("زوروا https://x.test/a?b=1.", rtl=True) == f"زوروا {FSI}https://x.test/a?b=1{PDI}."
    )
    assert isolate("نسبة 3.5% فقط", rtl=True) == f"نسبة {FSI}3.5{PDI}% فقط"
    assert isolate("Source: الجزيرة نت", rtl=False) == f"Source: {FSI}الجزيرة نت{PDI}"
    assert isolate("plain English", rtl=False) == "plain English"


def test_feed_text_is_escaped() -> None:
    message = alert(
        title='<script>alert("x")</script> & Co',
        summary="a < b && c > d &amp; </b>",
        source="<b>Evil</b>",
        why=["<i>term</i>"],
    )
    seen = plain(message)
    assert '<script>alert("x")</script> & Co' in seen.replace(FSI, "").replace(PDI, "")
    assert "a < b && c > d &amp; </b>" in seen.replace(FSI, "").replace(PDI, "")
    assert "<script" not in message and "<i>" not in message


def test_unsafe_urls_are_not_linked() -> None:
    assert "href" not in alert(url="javascript:alert(1)")
    assert "href" not in alert(url="")
    assert 'href="https://e.test/a%20b?q=&quot;x&quot;"' in alert(url='https://e.test/a b?q="x"')


def test_local_time() -> None:
    assert "29/11/2026 11:05 UTC" in alert()
    naive = alert(published=datetime(2026, 11, 29, 11, 5), tz="Africa/Cairo")
    assert "13:05" in naive
    assert "11:05 UTC" in alert(tz="Not/AZone")


def test_long_summary_is_cut_to_the_limit() -> None:
    summary = "كلمة طويلة جداً في الخبر " * 1000
    message = alert(summary=summary)
    seen = plain(message)
    assert utf16_len(seen) <= MAX_MESSAGE
    assert utf16_len(seen) > MAX_MESSAGE - 60  # cut, not gutted
    assert "…" in seen and "الخبر كاملاً" in seen  # the link survives the cut


def test_limit_counts_utf16_units() -> None:
    summary = "😀 " * 1500  # 3000 characters but 4500 UTF-16 units
    seen = plain(alert(summary=summary))
    assert len(seen) < MAX_MESSAGE < utf16_len(summary)
    assert utf16_len(seen) <= MAX_MESSAGE


def test_huge_fields_everywhere_still_fit() -> None:
    big = "𝔘 ISIS 2025 <&> " * 2000
    message = alert(title=big, summary=big, source=big, why=[big] * 50, topics=[big] * 50)
    assert utf16_len(plain(message)) <= MAX_MESSAGE


HOSTILE = [
    "<",
    ">",
    "&",
    '"',
    "'",
    "&amp;",
    "&lt;",
    "</b>",
    "<b>",
    "<a href='x'>",
    "\n",
    "\t",
    "😀",
    "👨‍👩‍👧",
    "𝔘",
    "\u200f",
    FSI,
    PDI,
    "ISIS",
    "2025",
    "3.5%",
    "https://x.test/?a=1&b=2",
    "عربي",
    "الأمن",
    "،",
    "؛",
    "؟",
    " ",
    "  ",
    "é",
    "\u0651",
    "#tag",
    "@user",
]


def hostile_text(rng: random.Random, size: int) -> str:
    """Random text made of characters and fragments feeds get wrong."""
    return "".join(rng.choice(HOSTILE) for _ in range(rng.randint(0, size)))


@pytest.mark.parametrize("seed", range(60))
def test_random_hostile_alerts_are_valid(seed: int) -> None:
    rng = random.Random(seed)
    title = hostile_text(rng, 40)
    message = render_alert(
        title=title,
        summary=hostile_text(rng, 3000),
        url=rng.choice(["https://x.test/?a=1&b=<2>", "javascript:x", "", hostile_text(rng, 5)]),
        source=hostile_text(rng, 10),
        published=PUBLISHED,
        topics=[hostile_text(rng, 5) for _ in range(rng.randint(0, 5))],
        language=rng.choice(["ar", "en"]),
        book=BUILT_IN,
        why=[hostile_text(rng, 8)] if rng.random() < 0.5 else None,
    )
    seen = parse_telegram_html(message)[0]  # raises if Telegram would refuse it
    assert utf16_len(seen) <= MAX_MESSAGE
    # The reader sees the headline exactly, minus bidi controls a feed smuggled in.
    readable = " ".join(re.sub("[\u202a-\u202e\u2066-\u2069]", "", title).split())
    visible = " ".join(seen.replace(FSI, "").replace(PDI, "").split())
    if len(readable) < 100:
        assert readable in visible


def digest_items(
    count: int, title: str = "عنوان الخبر رقم", topics: Sequence[str] = ("terrorism",)
) -> list[DigestItem]:
    """Numbered digest items with distinct URLs."""
    return [
        DigestItem(f"{title} {i} <&>", f"https://e.test/{i}?a=1&b=2", "BBC", topics)
        for i in range(count)
    ]


def test_digest_single_message() -> None:
    (message,) = render_digest(digest_items(3), "ar", BUILT_IN)
    assert message.startswith("🗞 <b>موجز الأخبار</b>\n#إرهاب")
    assert message.count("<a href=") == 3 and "&lt;&amp;&gt;" in message
    plain(message)


def test_digest_splits_by_count_and_length() -> None:
    items = digest_items(45) + digest_items(30, title="عنوان طويل " * 40)
    messages = render_digest(items, "en", BUILT_IN)
    assert len(messages) >= 4
    urls = [u for m in messages for u in re.findall(r'href="([^"]*)"', m)]
    assert urls == [html.escape(i.url) for i in items]  # every item once, in order
    for n, message in enumerate(messages, start=1):
        assert message.startswith(f"🗞 <b>News digest</b> ({n}/{len(messages)})")
        assert message.count("<a href=") <= 20
        assert utf16_len(plain(message)) <= MAX_MESSAGE


def test_empty_digest() -> None:
    assert render_digest([], "ar", BUILT_IN) == []


def test_utf16_len() -> None:
    assert utf16_len("") == 0 and utf16_len("abc") == 3 and utf16_len("😀") == 2
    assert utf16_len("👨‍👩‍👧") == 8 and utf16_len("عربي") == 4


async def test_rendered_messages_are_accepted_by_the_bot_api(
    tg_bot: Bot, botapi: BotApiServer
) -> None:
    rng = random.Random(7)
    messages = [alert(), alert(language="en", why=["x (title)"]), alert(summary="😀 " * 3000)]
    messages += render_digest(digest_items(60), "ar", BUILT_IN)
    messages += [
        render_alert(
            title=hostile_text(rng, 50),
            summary=hostile_text(rng, 5000),
            url="https://x.test/",
            source=hostile_text(rng, 10),
            published=PUBLISHED,
            topics=["terrorism"],
            language="ar",
            book=BUILT_IN,
        )
        for _ in range(5)
    ]
    for message in messages:
        await tg_bot.send_message(1, message, parse_mode=ParseMode.HTML)
    assert len(botapi.messages) == len(messages)


def test_bidi_controls_from_feeds_are_dropped() -> None:
    message = alert(title="عنوان \u202eISIS\u202c 2025", source=f"{PDI}{PDI}BBC{FSI}")
    assert "\u202e" not in message and "\u202c" not in message
    assert message.count(FSI) == message.count(PDI)  # every isolate we open is closed
