"""parse_feed: Arabic encodings, RSS and Atom, hostile bodies, entry identity and time."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.feeds.normalise import title_hash
from bot.feeds.parse import parse_feed
from tests.feeds.conftest import NOW
from tests.feeds.samples import Item, arabic_items, atom, rss

URL = "https://news.example/feed.xml"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
ALJAZEERA = SHARED / "feeds" / "gsidhu_Pretty_Parser__aljazeera.xml"


def test_utf8_arabic_rss() -> None:
    parsed = parse_feed(rss(arabic_items()), {"Content-Type": "application/rss+xml"}, URL, now=NOW)
    assert parsed.error is None and parsed.warning is None
    assert parsed.title == "أخبار مرصد"
    first = parsed.entries[0]
    assert first.title == "وزارة الصحة تعلن افتتاح مستشفى جديد في المدينة"
    assert first.text == (
        "أعلنت وزارة الصحة صباح اليوم افتتاح مستشفى جديد يضم مئتي سرير.\n\n"
        "وقال المتحدث باسم الوزارة إن المستشفى سيخدم سكان الأحياء الشمالية."
    )
    assert first.key == "ar-0"
    assert first.url == "https://news.example/ar/0"
    assert first.language == "ar"
    assert first.published == datetime(2026, 11, 29, 5, 0, tzinfo=UTC)
    assert first.title_hash == title_hash(first.title)
    assert "&" in parsed.entries[2].text and "&amp;" not in parsed.entries[2].text


@pytest.mark.parametrize("header", ["Content-Type", "content-type", "CONTENT-TYPE"])
def test_windows_1256_charset_from_the_header_whatever_its_case(header: str) -> None:
    # No XML declaration: only the HTTP charset says windows-1256. feedparser reads lower-case
    # header names only, so a capitalised name used to give mojibake.
    body = rss(arabic_items(), encoding="windows-1256", declare=False)
    parsed = parse_feed(body, {header: "text/xml; charset=windows-1256"}, URL, now=NOW)
    assert parsed.error is None
    assert parsed.title == "أخبار مرصد"
    assert parsed.entries[1].title == "ارتفاع أسعار القمح في الأسواق العالمية"


def test_windows_1256_declared_in_the_xml() -> None:
    body = rss(arabic_items(), encoding="windows-1256")
    parsed = parse_feed(body, {"Content-Type": "application/xml"}, URL, now=NOW)
    assert parsed.entries[0].title == "وزارة الصحة تعلن افتتاح مستشفى جديد في المدينة"


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1256"])
def test_atom_arabic(encoding: str) -> None:
    parsed = parse_feed(atom(arabic_items(), encoding=encoding), {}, URL, now=NOW)
    assert parsed.error is None
    assert [e.key for e in parsed.entries] == [f"urn:marsad:ar-{i}" for i in range(3)]
    assert parsed.entries[0].text.startswith("أعلنت وزارة الصحة")
    assert parsed.entries[0].language == "ar"
    assert parsed.entries[0].published == datetime(2026, 11, 29, 5, 0, tzinfo=UTC)


def test_ttl_minutes_become_seconds() -> None:
    assert parse_feed(rss(arabic_items(), ttl=15), {}, URL, now=NOW).ttl_seconds == 900
    assert parse_feed(rss(arabic_items()), {}, URL, now=NOW).ttl_seconds is None


def test_key_falls_back_to_link_then_to_a_content_hash() -> None:
    items = [
        Item(title="بلا معرف", html="<p>نص</p>", link="https://n.example/x?utm_source=a"),
        Item(title="بلا رابط", html="<p>نص</p>", link=""),
    ]
    parsed = parse_feed(rss(items), {}, URL, now=NOW)
    assert parsed.entries[0].key == "https://n.example/x"
    assert parsed.entries[1].key.startswith("sha1:")
    assert parsed.entries[1].url == ""
    again = parse_feed(rss(items), {}, URL, now=NOW)
    assert again.entries[1].key == parsed.entries[1].key


def test_missing_or_future_dates_become_fetch_time() -> None:
    items = [
        Item(title="بلا تاريخ", html="x", link="https://n.example/1", published=None),
        Item(
            title="من المستقبل",
            html="x",
            link="https://n.example/2",
            published="Mon, 29 Nov 2027 08:00:00 GMT",
        ),
    ]
    parsed = parse_feed(rss(items), {}, URL, now=NOW)
    assert [e.published for e in parsed.entries] == [NOW, NOW]


def test_language_comes_from_http_header_when_the_feed_has_none() -> None:
    body = rss(arabic_items(), language=None)
    parsed = parse_feed(body, {"Content-Language": "fr-FR"}, URL, now=NOW)
    assert parsed.entries[0].language == "fr"
    assert parse_feed(body, {}, URL, now=NOW).entries[0].language is None


def test_broken_xml_with_entries_is_kept_with_a_warning() -> None:
    body = rss(arabic_items())[:-30]  # cut off mid-document
    parsed = parse_feed(body, {}, URL, now=NOW)
    assert parsed.error is None
    assert parsed.warning
    assert len(parsed.entries) >= 2


def test_entity_declarations_are_refused_before_parsing() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<rss><channel><item><title>&c;</title></item></channel></rss>"
    )
    parsed = parse_feed(laughs, {}, URL, now=NOW)
    assert parsed.entries == () and parsed.error and "entities" in parsed.error
    utf16 = laughs.decode().replace('"1.0"?', '"1.0" encoding="utf-16"?').encode("utf-16")
    assert parse_feed(utf16, {}, URL, now=NOW).error == parsed.error


def test_html_challenge_page_is_an_error() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
        b"<body><p>Checking your browser before accessing news.example.</p></body></html>"
    )
    parsed = parse_feed(page, {"Content-Type": "text/html; charset=UTF-8"}, URL, now=NOW)
    assert parsed.entries == ()
    assert parsed.error == "an HTML page, not a feed (text/html)"


@pytest.mark.parametrize(
    "body", [b"", b"   \n\t ", os.urandom(4096), bytes(range(256)) * 64, b"\x89PNG\r\n\x1a\n" * 9]
)
def test_empty_and_binary_bodies_are_errors(body: bytes) -> None:
    parsed = parse_feed(body, {"Content-Type": "application/octet-stream"}, URL, now=NOW)
    assert parsed.entries == ()
    assert parsed.error


def test_valid_feed_without_items_is_not_an_error() -> None:
    parsed = parse_feed(rss([]), {}, URL, now=NOW)
    assert parsed.error is None and parsed.entries == ()
    assert parsed.title == "أخبار مرصد"


def test_parsed_feed_pickles_for_worker_processes() -> None:
    import pickle

    parsed = parse_feed(rss(arabic_items()), {}, URL, now=NOW)
    assert pickle.loads(pickle.dumps(parsed)) == parsed


@pytest.mark.skipif(not ALJAZEERA.exists(), reason="shared data not present")
def test_real_al_jazeera_rss() -> None:
    body = ALJAZEERA.read_bytes()
    parsed = parse_feed(body, {"Content-Type": "application/rss+xml"}, URL, now=NOW)
    assert parsed.error is None and parsed.warning is None
    assert parsed.title == "Al Jazeera America"
    assert len(parsed.entries) == 50
    first = parsed.entries[0]
    assert first.title == "Goodnight, and good luck"
    assert (
        first.key == "http://america.aljazeera.com/articles/2016/2/26/goodnight-and-good-luck.html"
    )
    assert first.url == first.key
    assert first.published == datetime(2016, 2, 26, 16, 0, tzinfo=UTC)
    assert first.text.startswith("A valedictory note from Al Jazeera America")
    assert len({e.key for e in parsed.entries}) == 50
    assert all(e.title and e.title_hash for e in parsed.entries)


def test_feed_served_with_a_wrong_content_type_is_kept_with_a_warning() -> None:
    parsed = parse_feed(
        rss(arabic_items()), {"Content-Type": "application/octet-stream"}, URL, now=NOW
    )
    assert parsed.error is None
    assert parsed.warning is not None and "not an XML media type" in parsed.warning
    assert len(parsed.entries) == 3


def _with_lone_surrogates(body: bytes, text_end: bytes = b"</description>") -> bytes:
    """The second item's title and the first two texts get lone-surrogate references."""
    title = "ارتفاع أسعار القمح في الأسواق العالمية".encode()
    marked = body.replace(title, title + b" &#xD800;&#XDFFF;", 1)
    return marked.replace(text_end, b" &#55296; &#0057343;" + text_end, 2)


@pytest.mark.parametrize("fast", [True, False])
def test_a_lone_surrogate_reference_costs_one_character_not_the_feed(fast: bool) -> None:
    body = _with_lone_surrogates(rss(arabic_items(count=10)))
    parsed = parse_feed(body, {"Content-Type": "application/rss+xml"}, URL, now=NOW, fast=fast)
    assert parsed.error is None
    assert [e.key for e in parsed.entries] == [f"ar-{i}" for i in range(10)]
    assert parsed.entries[1].title.endswith(" \ufffd\ufffd")
    assert parsed.entries[0].text.endswith("\ufffd \ufffd")
    assert not any(0xD800 <= ord(c) <= 0xDFFF for e in parsed.entries for c in e.title + e.text)


def test_a_lone_surrogate_reference_in_atom_keeps_every_entry() -> None:
    body = _with_lone_surrogates(atom(arabic_items(count=10)), b"</content>")
    parsed = parse_feed(body, {}, URL, now=NOW)
    assert parsed.error is None and len(parsed.entries) == 10
    assert parsed.entries[1].title.endswith(" \ufffd\ufffd")
