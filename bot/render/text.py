"""The pieces every shape is made of: lengths as Telegram counts them, bidi isolation,
escaping, clean one-line fields, safe links and local times.

Every piece of feed text is cut to size first, then bidi-isolated, then escaped, so a cut
never breaks a tag or an entity. Lengths are counted as Telegram counts them: UTF-16 code
units of the text after entity parsing.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_MESSAGE = 4096  # UTF-16 code units after entity parsing
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate ... pop directional isolate

_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff\ufb50-\ufdff\ufe70-\ufefc]")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
_L = "A-Za-z0-9\u00c0-\u024f"
# A trailing "%" stays outside the isolate: unisolated, Arabic text shows "45%" as "%45",
# the order Arabic readers expect, and isolating it would flip it to the English order.
_LATIN_TOKEN = rf"[#@$€£]?[{_L}](?:[{_L}]|[.\-_/:'’&+@,%](?=[{_L}]))*"
_URL = r"(?:https?://|www\.)[^\s<>\"'«»]*[^\s<>\"'«».,;:!?؟،؛)\]]"
# In right-to-left text: URLs and runs of Latin words and numbers joined by spaces.
_LTR_RUN = re.compile(rf"{_URL}|{_LATIN_TOKEN}(?: +{_LATIN_TOKEN})*")
_AR = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
# In left-to-right text: runs of Arabic words.
_RTL_RUN = re.compile(rf"[{_AR}]+(?:[\s\-]+[{_AR}]+)*")
_TAG = re.compile(r"<[^>]*>")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts message length in."""
    return len(text.encode("utf-16-le")) // 2


def visible_len(message: str) -> int:
    """UTF-16 length of rendered HTML after entity parsing (our markup only)."""
    return utf16_len(html.unescape(_TAG.sub("", message)))


def is_rtl(text: str) -> bool:
    """Whether Arabic letters outnumber Latin ones (the text reads right to left)."""
    arabic = len(_ARABIC_LETTER.findall(text))
    return arabic > 0 and arabic >= len(_LATIN_LETTER.findall(text))


def isolate(text: str, *, rtl: bool) -> str:
    """Wrap runs of the other direction in FSI…PDI so they cannot reorder the line."""
    if rtl:
        return _LTR_RUN.sub(lambda m: f"{FSI}{m.group()}{PDI}", text)
    if not _ARABIC_LETTER.search(text):
        return text
    return _RTL_RUN.sub(lambda m: f"{FSI}{m.group()}{PDI}", text)


def wrap_if_foreign(text: str, *, rtl: bool) -> str:
    """Isolate a whole field (a name, a hashtag) whose direction differs from the line's."""
    if not text or is_rtl(text) == rtl:
        return text
    return f"{FSI}{text}{PDI}"


def inline_field(text: str, *, rtl: bool) -> str:
    """A name inside a line: whole-isolated if foreign, else its foreign runs isolated."""
    if text and is_rtl(text) != rtl:
        return f"{FSI}{text}{PDI}"
    return isolate(text, rtl=rtl)


def esc(text: str) -> str:
    """Text escaped for Telegram HTML outside attributes."""
    return html.escape(text, quote=False)


def text_block(text: str) -> str:
    """Escaped, isolated text whose direction follows its own letters."""
    return esc(isolate(text, rtl=is_rtl(text)))


def flat(text: str) -> str:
    """One clean line: feed fields must not inject line breaks or bidi controls."""
    # Embeddings, overrides and isolates from a feed could reverse the rest of a line
    # or unbalance ours; our own isolates are added after this.
    text = _BIDI_CONTROLS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def safe_url(url: str) -> str | None:
    """The URL if it is an http(s) link Telegram will open, else None."""
    url = url.strip().replace(" ", "%20")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def link(url: str, text: str) -> str:
    """`text` (already escaped) linked to the URL when it is safe, else plain."""
    target = safe_url(url)
    return f'<a href="{html.escape(target, quote=True)}">{text}</a>' if target else text


def zone(name: str) -> tzinfo:
    """A chat's time zone (UTC when the stored name is unknown)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_time(published: datetime, tz: str, language: str) -> str:
    """Publication time in the chat's zone, e.g. "29/11/2026 14:05 UTC+03"."""
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)  # the pipeline stores UTC
    local = published.astimezone(zone(tz))
    name = local.tzname() or "UTC"
    if name[0] in "+-":
        name = f"UTC{name}"
    if language == "ar":
        return f"{local:%d/%m/%Y %H:%M} {name}"
    return f"{local:%d %b %Y, %H:%M} {name}"
