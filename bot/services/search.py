"""The text after /search, read once into what to look for and what to show back.

/search <words> [topic:<id or name>] [since:<N>h|<N>d] [lang:ar|en|fr]. Quotes (straight,
curly or «») may surround words but must be balanced; they do not make a phrase: every
word is searched, normalised as the index was built (bot.storage.search.SearchQuery).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import SearchError
from bot.storage.search import SearchQuery

MAX_SINCE_DAYS = 3650
SEARCH_LANGUAGES = ("ar", "en", "fr")
_FILTER = re.compile(r"(topic|since|lang):(\S*)", re.IGNORECASE)
_SINCE = re.compile(r"(\d{1,5})([hd])", re.IGNORECASE)
# Pairs of quotes people type (straight ones are counted alone): curly, Arabic guillemets.
_PAIRS = (("«", "»"), ("“", "”"))


@dataclass(frozen=True, slots=True)
class ParsedSearch:
    """A /search text read once: the query to run and the filters as the user typed them."""

    query: SearchQuery
    filters: tuple[str, ...]


@dataclass(slots=True)
class _Filters:
    """The filters found so far."""

    topic: str | None = None
    since: datetime | None = None
    language: str | None = None


def parse_search(text: str, now: datetime, resolve: Callable[[str], str | None]) -> ParsedSearch:
    """Read the text after /search; `resolve` gives a topic's id from a name, or None.

    SearchError names the reply text for the first problem found.
    """
    if text.count('"') % 2 or any(text.count(a) != text.count(b) for a, b in _PAIRS):
        raise SearchError("search_unbalanced")
    found = _Filters()
    words: list[str] = []
    filters: list[str] = []
    for token in text.split():
        match = _FILTER.fullmatch(token)
        if match is None:
            words.append(token)
        else:
            _apply(found, match.group(1).lower(), match.group(2), now, resolve)
            filters.append(token)
    if not words and not filters:
        raise SearchError("search_usage")
    query = SearchQuery(
        " ".join(words), topic=found.topic, since=found.since, language=found.language
    )
    if words and not query.terms:
        raise SearchError("search_no_words")
    return ParsedSearch(query, tuple(filters))


def _apply(
    found: _Filters,
    name: str,
    value: str,
    now: datetime,
    resolve: Callable[[str], str | None],
) -> None:
    """Record one filter (topic, since or lang) with its value."""
    if not value:
        raise SearchError("search_usage")
    if name == "topic":
        found.topic = resolve(value)
        if found.topic is None:
            raise SearchError("unknown_topics", value)
    elif name == "since":
        found.since = now - _period(value)
    else:
        found.language = value.lower()
        if found.language not in SEARCH_LANGUAGES:
            raise SearchError("search_bad_lang", value)


def _period(value: str) -> timedelta:
    """since:<N>h or since:<N>d as a duration."""
    match = _SINCE.fullmatch(value)
    if match is None or int(match.group(1)) == 0:
        raise SearchError("search_bad_since", value)
    count, unit = int(match.group(1)), match.group(2).lower()
    period = timedelta(hours=count) if unit == "h" else timedelta(days=count)
    if period > timedelta(days=MAX_SINCE_DAYS):
        raise SearchError("search_bad_since", value)
    return period
