"""A story's alert grown in place: the original alert plus who else reported it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.render.labels import labels
from bot.render.text import MAX_MESSAGE, esc, flat, inline_field, link, text_block, visible_len

LINKED_OUTLETS = 3  # outlets linked by name; the rest are counted
MAX_OUTLET = 60  # characters of an outlet's name
MAX_HEADLINE = 300  # characters of the newest headline
# A newest headline sharing this share of its words with the first one adds nothing.
NEAR_COPY = 0.6
MAX_ENTITIES = 100  # Telegram's limit on formatting entities per message


@dataclass(frozen=True, slots=True)
class Report:
    """One report of a story, as the growth block shows it."""

    outlet: str
    url: str
    title: str


def _words(text: str) -> set[str]:
    """A headline's words, for the near-copy test."""
    return set(re.findall(r"\w+", text.lower()))


def near_copy(first: str, other: str) -> bool:
    """Whether `other` mostly repeats `first` (Jaccard overlap of their words)."""
    a, b = _words(first), _words(other)
    if not a or not b:
        return True
    return len(a & b) / len(a | b) >= NEAR_COPY


def growth_block(first: Report, later: Sequence[Report], language: str) -> str:
    """ "+N outlets" with the first few linked, "and N more", and the newest headline when
    it adds something; empty when no other outlet reported."""
    words, rtl = labels(language), language == "ar"
    seen = {first.outlet}
    outlets: list[Report] = []
    for report in later:
        if report.outlet not in seen:
            seen.add(report.outlet)
            outlets.append(report)
    if not outlets:
        return ""
    named = [
        link(r.url, esc(inline_field(flat(r.outlet)[:MAX_OUTLET], rtl=rtl)))
        for r in outlets[:LINKED_OUTLETS]
    ]
    line = f"➕ <b>{esc(words['outlets'].format(n=len(outlets)))}</b>: " + words["comma"].join(
        named
    )
    if len(outlets) > LINKED_OUTLETS:
        line += f" {esc(words['more'].format(n=len(outlets) - LINKED_OUTLETS))}"
    lines = [line]
    newest = later[-1].title if later else ""
    if newest and not near_copy(first.title, newest):
        lines.append(f"🆕 {esc(words['latest'])}: {text_block(flat(newest)[:MAX_HEADLINE])}")
    return "\n".join(lines)


def grown_alert(alert: str, block: str, *, breaking: bool, language: str) -> str:
    """The alert with its breaking mark and growth block, within Telegram's limits; the
    block goes first if both do not fit, then the mark stays alone with the alert."""
    mark = f"<b>{esc(labels(language)['breaking'])}</b>\n" if breaking else ""
    for extra in (block, ""):
        text = f"{mark}{alert}\n\n{extra}" if extra else f"{mark}{alert}"
        if visible_len(text) <= MAX_MESSAGE and text.count("<") // 2 <= MAX_ENTITIES:
            return text
    return alert


def breaking_reply(title: str, language: str) -> str:
    """The short reply that rings when a story becomes breaking: the mark and the headline."""
    mark = esc(labels(language)["breaking"])
    return f"<b>{mark}</b>: {text_block(flat(title)[:MAX_HEADLINE])}"
