"""A tiny RSS 2.0 writer for tests that need a feed with given items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Item:
    """One RSS item."""

    guid: str
    title: str
    text: str
    link: str
    published: datetime


def rss(items: Sequence[Item], *, title: str = "Test feed", language: str = "ar") -> bytes:
    """An RSS 2.0 document in UTF-8."""
    body = "".join(
        f"<item><guid>{escape(i.guid)}</guid><title>{escape(i.title)}</title>"
        f"<link>{escape(i.link)}</link><description>{escape(i.text)}</description>"
        f"<pubDate>{format_datetime(i.published)}</pubDate></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example/</link>"
        f"<language>{language}</language>{body}</channel></rss>"
    ).encode()
