"""The ElementTree fast path must give exactly what the feedparser path gives, or step aside."""

from __future__ import annotations

import pytest

from bot.feeds.fastparse import fast_parse
from bot.feeds.parse import _feedparser_headers, parse_feed
from tests.feeds.conftest import NOW
from tests.feeds.samples import Item, arabic_items, rss
from tests.feeds.test_corpus import CORPUS, load
from tests.feeds.test_parse import ALJAZEERA

URL = "https://news.example/feed.xml"


def took_fast_path(body: bytes, headers: dict[str, str]) -> bool:
    """Whether parse_feed would answer from the fast path."""
    return fast_parse(body, _feedparser_headers(headers, URL)) is not None


def assert_same(body: bytes, headers: dict[str, str]) -> None:
    """Both paths agree on everything a ParsedFeed holds."""
    fast = parse_feed(body, headers, URL, now=NOW, fast=True)
    slow = parse_feed(body, headers, URL, now=NOW, fast=False)
    assert fast == slow


@pytest.mark.parametrize(
    ("encoding", "declare", "content_type"),
    [
        ("utf-8", True, "application/rss+xml"),
        ("utf-8", True, "text/xml; charset=utf-8"),
        ("utf-8", False, "application/xml"),
        ("windows-1256", True, "application/rss+xml"),
        ("windows-1256", True, "text/xml; charset=windows-1256"),
    ],
)
def test_arabic_feeds_take_the_fast_path_and_agree(
    encoding: str, declare: bool, content_type: str
) -> None:
    body = rss(arabic_items(count=40), encoding=encoding, declare=declare, ttl=30)
    headers = {"Content-Type": content_type}
    assert took_fast_path(body, headers)
    assert_same(body, headers)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (rss(arabic_items()), "text/xml"),  # us-ascii by RFC 3023: feedparser overrides, bozo
        (rss(arabic_items(), encoding="windows-1256", declare=False), "text/xml; charset=cp1256"),
        (rss(arabic_items()).replace(b"<channel>", b'<channel xml:lang="fr">'), "application/xml"),
        (rss(arabic_items()).replace(b"<item>", b"<item><foo:bar xmlns:foo='urn:x'/>"), None),
        (rss(arabic_items()).replace(b"</channel>", b""), "application/xml"),
        (b"\xef\xbb\xbf" + rss(arabic_items()), "application/xml"),
    ],
)
def test_unusual_feeds_step_aside(body: bytes, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert not took_fast_path(body, headers)
    assert_same(body, headers)


def test_titles_that_look_like_html_links_and_permalink_guids() -> None:
    items = [
        Item(title="عنوان &lt;b&gt;مهم&lt;/b&gt;", html="<p>x</p>", link="https://n.example/a"),
        Item(title="R&amp;D &amp; more", html="y", link="https://n.example/b?x=1&amp;y=2"),
        Item(title="plain", html="z", link="", guid=None),
    ]
    guid = b"<guid>https://n.example/g?utm_source=q</guid>"
    body = rss(items).replace(b"<link></link>", guid)  # no <link>: the permalink guid is the link
    assert took_fast_path(body, {})
    assert_same(body, {})
    assert parse_feed(body, {}, URL, now=NOW).entries[2].url == "https://n.example/g"


@pytest.mark.skipif(not ALJAZEERA.exists(), reason="shared data not present")
def test_real_al_jazeera_feed_takes_the_fast_path_and_agrees() -> None:
    body = ALJAZEERA.read_bytes()
    headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
    assert took_fast_path(body, headers)
    assert_same(body, headers)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared feedparser corpus absent")
def test_both_paths_agree_on_the_whole_feedparser_corpus() -> None:
    fast_count = 0
    for file in load(CORPUS.resolve()):
        if "Content-Encoding" in file.headers or file.status != 200:
            continue
        headers = {k: v for k, v in file.headers.items() if k != "Location"}
        fast_count += took_fast_path(file.body, headers)
        fast = parse_feed(file.body, headers, URL, now=NOW, fast=True)
        slow = parse_feed(file.body, headers, URL, now=NOW, fast=False)
        assert fast == slow, file.path
    assert fast_count >= 100  # the comparison means something only if the fast path ran
