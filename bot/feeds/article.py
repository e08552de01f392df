"""The main text of an article page, for feeds that carry only a lede and for /testfilter."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.feeds.normalise import html_to_text

# A feed item shorter than this is worth completing from its page.
LEDE_ONLY_CHARS = 600
# How far into a page a <meta charset> is looked for (the HTML standard says 1024 bytes;
# pages with long inline scripts or styles in <head> declare it later).
META_PRESCAN_BYTES = 4096
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# Browsers read these labels as windows-1252 (the HTML standard's encoding table), and a
# page whose <meta> claims UTF-16 is ASCII-compatible, hence UTF-8.
_AS_BROWSERS_READ = {"iso8859-1": "cp1252", "ascii": "cp1252"}
_META_UTF16 = {"utf-16", "utf-16-le", "utf-16-be"}
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class PageText:
    """An article's title and text."""

    title: str
    text: str


def _codec(label: str) -> str | None:
    """Python's codec for a charset label, as browsers read it; None when unknown."""
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _AS_BROWSERS_READ.get(name, name)


def page_charset(page: bytes, headers: Mapping[str, str]) -> str:
    """The codec a page is in: its BOM, else the Content-Type header, else a <meta>, else UTF-8.

    `headers` has lower-case names, as FetchResult keeps them.
    """
    for bom, codec in _BOMS:
        if page.startswith(bom):
            return codec
    header = _HEADER_CHARSET.search(headers.get("content-type", ""))
    if header and (declared := _codec(header.group(1))):
        return declared
    meta = _META_CHARSET.search(page[:META_PRESCAN_BYTES])
    if meta and (declared := _codec(meta.group(1).decode("ascii"))):
        return "utf-8" if declared in _META_UTF16 else declared
    return "utf-8"


def page_text(page: bytes, headers: Mapping[str, str]) -> PageText:
    """A fetched page's title and main text, decoded as the server or the page declares.

    Runs in a worker process: converting a whole page would hold up the event loop. A page
    where no article is found gives the text of the whole page.
    """
    html = page.decode(page_charset(page, headers), errors="replace")
    title = _TITLE.search(html)
    return PageText(
        title=html_to_text(title.group(1)) if title else "",
        text=extract_main_text(html) or html_to_text(html),
    )


def extract_main_text(page: bytes | str) -> str | None:
    """The page's main text (paragraphs kept), or None when no article is found.

    Bytes are decoded by trafilatura's own guess; text is taken as it is.

    Runs in a worker process; trafilatura is imported here, so workers of newsrooms that
    never use the option do not pay its memory.
    """
    import trafilatura  # deliberately lazy, see above

    text = trafilatura.extract(
        page,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,  # a shorter true text beats menus and related links
        deduplicate=True,
    )
    return text.strip() or None if text else None


def better_text(feed_text: str, page_text: str | None) -> str:
    """The page's text when it is longer than the feed's lede, else the feed's."""
    if page_text and len(page_text) > len(feed_text):
        return page_text
    return feed_text
