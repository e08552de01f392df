"""The /search text read once, as a pure function: words, quotes, topic, since and lang filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import SearchError
from bot.services.search import parse_search
from bot.storage.search import SearchQuery, query_terms

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
TOPICS = {"terrorism": "terrorism", "الإرهاب": "terrorism", "cyber": "cybersecurity"}


def parse(text: str) -> tuple[SearchQuery, tuple[str, ...]]:
    """The query and the filters as typed, topics resolved from TOPICS."""
    parsed = parse_search(text, NOW, TOPICS.get)
    return parsed.query, parsed.filters


def refusal(text: str) -> tuple[str, str]:
    """The reply key and value of a text that cannot run."""
    with pytest.raises(SearchError) as caught:
        parse_search(text, NOW, TOPICS.get)
    return caught.value.key, caught.value.value


def test_words_are_normalised_once_as_the_index_was_built() -> None:
    query, filters = parse("الارهاب  في   سوريا")
    assert query == SearchQuery("الارهاب في سوريا")
    assert query.terms == tuple(query_terms("الارهاب في سوريا"))
    assert parse("الإرهاب")[0].terms == parse("الارهاب")[0].terms  # hamza or not, one key
    assert filters == ()


def test_quotes_must_pair_but_do_not_change_the_words_searched() -> None:
    for quoted in ('"داعش" الهجوم', "«داعش» الهجوم", "“داعش” الهجوم"):
        query, _ = parse(quoted)
        assert query.text == quoted  # shown back as typed
        assert query.terms == parse("داعش الهجوم")[0].terms
    for unbalanced in ('"ISIS attack', "«داعش", "داعش»", "“ISIS"):
        assert refusal(unbalanced) == ("search_unbalanced", "")


def test_topic_filters_resolve_names_in_any_language() -> None:
    query, filters = parse("هجوم topic:الإرهاب")
    assert (query.text, query.topic, filters) == ("هجوم", "terrorism", ("topic:الإرهاب",))
    query, filters = parse("TOPIC:cyber")
    assert (query.text, query.topic, query.terms, filters) == (
        "",
        "cybersecurity",
        (),
        ("TOPIC:cyber",),
    )
    assert refusal("داعش topic:<b>") == ("unknown_topics", "<b>")
    assert refusal("داعش topic:") == ("search_usage", "")


@pytest.mark.parametrize(
    ("token", "period"),
    [
        ("since:2h", timedelta(hours=2)),
        ("since:3d", timedelta(days=3)),
        ("Since:24H", timedelta(hours=24)),
    ],
)
def test_since_is_hours_or_days_before_now(token: str, period: timedelta) -> None:
    query, filters = parse(f"attack {token}")
    assert (query.since, filters) == (NOW - period, (token,))


@pytest.mark.parametrize("value", ["soon", "0h", "3651d", "99999h", "2w", "-1d"])
def test_since_out_of_range_or_unreadable_is_refused(value: str) -> None:
    assert refusal(f"attack since:{value}") == ("search_bad_since", value)


def test_language_filter_is_one_of_the_indexed_languages() -> None:
    query, _ = parse("attack lang:EN since:2h")
    assert (query.language, query.since) == ("en", NOW - timedelta(hours=2))
    assert query.terms == tuple(query_terms("attack", "en"))
    assert refusal("داعش lang:de") == ("search_bad_lang", "de")


def test_nothing_to_search_for_gets_the_usage_or_says_there_are_no_words() -> None:
    assert refusal("") == ("search_usage", "")
    assert refusal("   ") == ("search_usage", "")
    assert refusal("( ) * - :") == ("search_no_words", "")
    assert refusal("* topic:cyber") == ("search_no_words", "")  # words, but none searchable


def test_the_first_problem_is_the_one_reported() -> None:
    assert refusal("x lang:de since:soon") == ("search_bad_lang", "de")
