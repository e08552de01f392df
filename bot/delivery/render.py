"""Telegram HTML for alerts and digests: escaped, bidi-isolated, within Telegram's limit.

Pure functions. Every piece of feed text is cut to size first, then bidi-isolated, then
escaped, so a cut never breaks a tag or an entity. Lengths are counted as Telegram counts
them: UTF-16 code units of the text after entity parsing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.delivery.summarise import ELLIPSIS, truncate_words

MAX_MESSAGE = 4096  # UTF-16 code units after entity parsing
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate ... pop directional isolate

# Caps on each feed field, so that even hostile input leaves room for the summary.
MAX_TITLE = 512
MAX_SOURCE = 100
MAX_WHY = 300
MAX_HASHTAGS = 10
MAX_HASHTAG = 64
MAX_DIGEST_TITLE = 300
DIGEST_ITEMS = 20  # per message: Telegram keeps at most 100 entities per message

TOPIC_HASHTAGS: dict[str, dict[str, str]] = {
    "terrorism": {"ar": "إرهاب", "en": "terrorism"},
    "cybersecurity": {"ar": "الأمن_السيبراني", "en": "cybersecurity"},
    "arab_russia_diplomacy": {"ar": "دبلوماسية_عربية_روسية", "en": "arab_russia_diplomacy"},
}

LABELS: dict[str, dict[str, str]] = {
    "ar": {
        "source": "المصدر",
        "link": "الخبر كاملاً",
        "why": "سبب التنبيه",
        "digest": "موجز الأخبار",
        "untitled": "(بلا عنوان)",
        "comma": "، ",
    },
    "en": {
        "source": "Source",
        "link": "Full story",
        "why": "Why",
        "digest": "News digest",
        "untitled": "(untitled)",
        "comma": ", ",
    },
}

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


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One headline in a digest."""

    title: str
    url: str
    source: str = ""
    topics: Sequence[str] = field(default_factory=tuple)


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


def _wrap_if_foreign(text: str, *, rtl: bool) -> str:
    """Isolate a whole field (a name, a hashtag) whose direction differs from the line's."""
    if not text or is_rtl(text) == rtl:
        return text
    return f"{FSI}{text}{PDI}"


def _field(text: str, *, rtl: bool) -> str:
    """A name inside a line: whole-isolated if foreign, else its foreign runs isolated."""
    if text and is_rtl(text) != rtl:
        return f"{FSI}{text}{PDI}"
    return isolate(text, rtl=rtl)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])


def _flat(text: str) -> str:
    """One clean line: feed fields must not inject line breaks or bidi controls."""
    # Embeddings, overrides and isolates from a feed could reverse the rest of a line
    # or unbalance ours; our own isolates are added after this.
    text = _BIDI_CONTROLS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def hashtag(topic: str, language: str) -> str:
    """The topic as a hashtag in the chat's language; unknown ids keep hashtag characters."""
    names = TOPIC_HASHTAGS.get(topic, {})
    name = names.get(language) or names.get("en") or topic
    name = re.sub(r"\W+", "_", name).strip("_")[:MAX_HASHTAG]
    if not name:
        return ""
    if not re.search(r"[^\W\d_]", name):  # Telegram needs a letter in a hashtag
        name = f"topic_{name}"[:MAX_HASHTAG]
    return f"#{name}"


def _hashtag_line(topics: Sequence[str], language: str) -> str:
    rtl = language == "ar"
    tags = list(dict.fromkeys(t for t in (hashtag(x, language) for x in topics) if t))
    return " ".join(_wrap_if_foreign(tag, rtl=rtl) for tag in tags[:MAX_HASHTAGS])


def safe_url(url: str) -> str | None:
    """The URL if it is an http(s) link Telegram will open, else None."""
    url = url.strip().replace(" ", "%20")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


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


def _text_block(text: str) -> str:
    """Escaped, isolated text whose direction follows its own letters."""
    return _esc(isolate(text, rtl=is_rtl(text)))


@dataclass(frozen=True, slots=True)
class _Alert:
    """The fixed parts of an alert, already cut to size; the summary varies."""

    title: str
    url: str
    source: str
    when: str
    topics: Sequence[str]
    language: str
    why: str

    def render(self, summary: str) -> str:
        """The message with this summary."""
        labels, rtl = _labels(self.language), self.language == "ar"
        lines = [tags] if (tags := _hashtag_line(self.topics, self.language)) else []
        lines.append(f"<b>{_text_block(self.title or labels['untitled'])}</b>")
        if summary:
            lines += ["", _text_block(summary)]
        lines.append("")
        stamp = _esc(isolate(self.when, rtl=rtl))
        if self.source:
            origin = _esc(_field(self.source, rtl=rtl))
            lines.append(f"📰 {labels['source']}: {origin} · {stamp}")
        else:
            lines.append(f"🕒 {stamp}")
        link = safe_url(self.url)
        if link:
            lines.append(f'🔗 <a href="{html.escape(link, quote=True)}">{labels["link"]}</a>')
        if self.why:
            lines.append(f"🔎 {labels['why']}: {_esc(isolate(self.why, rtl=rtl))}")
        return "\n".join(lines)


def render_alert(
    *,
    title: str,
    summary: str,
    url: str,
    source: str,
    published: datetime,
    topics: Sequence[str],
    language: str,
    tz: str = "UTC",
    why: Sequence[str] | None = None,
) -> str:
    """One alert as Telegram HTML within 4096 UTF-16 units; the summary is cut first."""
    comma = _labels(language)["comma"]
    alert = _Alert(
        title=truncate_words(_flat(title), MAX_TITLE),
        url=url,
        source=truncate_words(_flat(source), MAX_SOURCE),
        when=local_time(published, tz, language),
        topics=topics,
        language=language,
        why=truncate_words(comma.join(_flat(w) for w in why or () if w.strip()), MAX_WHY),
    )
    summary = _flat(summary)
    message = alert.render(summary)
    while (excess := visible_len(message) - MAX_MESSAGE) > 0 and summary:
        # A character is one or two UTF-16 units, so dropping `excess` characters nearly
        # always suffices; loop because a cut can move bidi isolates.
        summary = truncate_words(summary, max(len(summary) - excess - 2, 0))
        message = alert.render(summary)
    return message


def digest_line(item: DigestItem) -> str:
    """One headline: linked, isolated, with its source."""
    title = truncate_words(_flat(item.title), MAX_DIGEST_TITLE) or "…"
    rtl = is_rtl(title)
    text = _esc(isolate(title, rtl=rtl))
    link = safe_url(item.url)
    line = f'• <a href="{html.escape(link, quote=True)}">{text}</a>' if link else f"• {text}"
    source = truncate_words(_flat(item.source), MAX_SOURCE)
    if source:
        line += f" — {_esc(_field(source, rtl=rtl))}"
    return line


def _digest_header(language: str, topics: Sequence[str], part: int, parts: int) -> str:
    labels = _labels(language)
    counter = f" ({part}/{parts})" if parts > 1 else ""
    header = f"🗞 <b>{labels['digest']}</b>{counter}"
    tags = _hashtag_line(topics, language)
    return f"{header}\n{tags}" if tags else header


def render_digest(items: Sequence[DigestItem], language: str) -> list[str]:
    """Many alerts for one chat as one or more messages of linked headlines."""
    return [text for text, _ in render_digest_parts(items, language)]


def render_digest_parts(items: Sequence[DigestItem], language: str) -> list[tuple[str, int]]:
    """render_digest's messages, each with how many of the items (in order) it holds."""
    lines = [digest_line(item) for item in items]
    topics = list(dict.fromkeys(t for item in items for t in item.topics))
    reserve = visible_len(_digest_header(language, topics, 999, 999)) + 2
    groups: list[list[str]] = []
    size = 0
    for line in lines:
        length = visible_len(line) + 1
        if not groups or len(groups[-1]) >= DIGEST_ITEMS or size + length + reserve > MAX_MESSAGE:
            groups.append([])
            size = 0
        groups[-1].append(line)
        size += length
    return [
        ("\n".join([_digest_header(language, topics, i, len(groups)), "", *group]), len(group))
        for i, group in enumerate(groups, start=1)
    ]


__all__ = [
    "ELLIPSIS",
    "FSI",
    "MAX_MESSAGE",
    "PDI",
    "DigestItem",
    "digest_line",
    "hashtag",
    "isolate",
    "render_alert",
    "render_digest",
    "render_digest_parts",
    "utf16_len",
    "visible_len",
    "zone",
]
