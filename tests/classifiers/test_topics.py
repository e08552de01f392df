"""Topic definitions: the TOML file, the JSON form, validation and editing helpers."""

from __future__ import annotations

import json

import pytest

from classifiers import (
    Term,
    Topic,
    load_topics_toml,
    topic_from_dict,
    topic_to_dict,
    validate_topic,
    with_exclusion,
    with_term,
    with_threshold,
    without_exclusion,
    without_term,
)

from .conftest import topic_by_id

SMALL = """
[topics.floods]
names = { ar = "فيضانات", en = "Floods" }
threshold = 2
[topics.floods.terms.ar]
"فيضان" = 2
[topics.floods.terms.en]
"flood" = 2
"flood insurance" = -1
[topics.floods.exclusions.en]
"flood of emails" = 1.5
"""


def test_builtin_topics_load(topics: list[Topic]) -> None:
    assert [t.id for t in topics] == ["terrorism", "cybersecurity", "arab_russia_diplomacy"]
    diplomacy = topic_by_id(topics, "arab_russia_diplomacy")
    assert [g.name for g in diplomacy.groups] == ["russia", "arab", "diplomacy"]


def test_toml_fields_are_read() -> None:
    (topic,) = load_topics_toml(SMALL)
    assert topic.id == "floods"
    assert topic.names == {"ar": "فيضانات", "en": "Floods"}
    assert Term("flood insurance", "en", -1.0) in topic.terms
    assert topic.exclusions == (Term("flood of emails", "en", 1.5),)
    assert topic.threshold == 2


@pytest.mark.parametrize("index", [0, 1, 2])
def test_json_round_trip_is_lossless(topics: list[Topic], index: int) -> None:
    topic = topics[index]
    assert topic_from_dict(json.loads(json.dumps(topic_to_dict(topic)))) == topic


def test_json_round_trip_keeps_edits(topics: list[Topic]) -> None:
    edited = with_exclusion(with_term(topics[0], "ar", "تفجير انتحاري مزدوج", 3.5), "فيلم وثائقي")
    assert topic_from_dict(json.loads(json.dumps(topic_to_dict(edited)))) == edited


def test_with_term_adds_and_reweights() -> None:
    (topic,) = load_topics_toml(SMALL)
    added = with_term(topic, "fr", "inondation", 2.5)
    assert Term("inondation", "fr", 2.5) in added.terms
    reweighted = with_term(added, "fr", "Inondations", 1.0)
    assert [t for t in reweighted.terms if t.lang == "fr"] == [Term("Inondations", "fr", 1.0)]
    assert topic.terms == load_topics_toml(SMALL)[0].terms  # the original is untouched


def test_language_is_inferred_from_script() -> None:
    (topic,) = load_topics_toml(SMALL)
    assert Term("سيول", "ar", 1.0) in with_term(topic, None, "سيول").terms
    assert Term("FEMA", "any", 1.0) in with_term(topic, None, "FEMA").terms


def test_without_term_matches_any_spelling() -> None:
    (topic,) = load_topics_toml(SMALL)
    assert all(t.text != "فيضان" for t in without_term(topic, "الفيضانات").terms)
    with pytest.raises(ValueError, match="no term"):
        without_term(topic, "زلزال")


def test_exclusions_are_added_and_removed() -> None:
    (topic,) = load_topics_toml(SMALL)
    more = with_exclusion(topic, "flood of refugees", "en", 2.0)
    assert Term("flood of refugees", "en", 2.0) in more.exclusions
    assert without_exclusion(more, "flood of refugees").exclusions == topic.exclusions
    with pytest.raises(ValueError, match="no exclusion"):
        without_exclusion(topic, "flash flood")


def test_with_threshold() -> None:
    (topic,) = load_topics_toml(SMALL)
    assert with_threshold(topic, 5).threshold == 5
    with pytest.raises(ValueError, match="threshold"):
        with_threshold(topic, -1)


@pytest.mark.parametrize(
    ("term", "message"),
    [
        ("ter+or", "not regular expressions"),
        ("(isis|daesh)", "not regular expressions"),
        ("hack.*", "not regular expressions"),
        ("", "empty term"),
        ("   ", "empty term"),
        ("«»", "no letters or digits"),
        ("x" * 101, "longer than 100"),
        ("one two three four five six seven", "more than 6 words"),
    ],
)
def test_bad_terms_are_rejected_with_a_reason(term: str, message: str) -> None:
    (topic,) = load_topics_toml(SMALL)
    with pytest.raises(ValueError, match=message):
        with_term(topic, "en", term)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Bad Id"}, "topic id"),
        ({"threshold": 0}, "threshold"),
        ({"threshold": "high"}, "must be a number"),
        ({"title_weight": 0.5}, "title_weight"),
        ({"window": 2.5}, "whole number"),
        ({"terms": {"english": {"flood": 1}}}, "two-letter code"),
        ({"terms": {"en": {"flood": float("inf")}}}, "weight"),
        ({"terms": {"en": {"flood": 1, "floods": 2}}}, "match the same words"),
        ({"terms": {"en": {"flood": -1}}}, "positive weight or a group"),
        ({"exclusions": {"en": {"dry": -1}}}, "must not be negative"),
        ({"groups": {"g": {}}}, "at least one term"),
        ({"colour": "blue"}, "unknown field"),
    ],
)
def test_bad_definitions_are_rejected(change: dict[str, object], message: str) -> None:
    (topic,) = load_topics_toml(SMALL)
    d = {**topic_to_dict(topic), **change}
    with pytest.raises(ValueError, match=message):
        topic_from_dict(d)


def test_bad_toml_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not valid TOML"):
        load_topics_toml("[topics.x\n")
    with pytest.raises(ValueError, match="at least one"):
        load_topics_toml("title = 'no topics'")


def test_validate_returns_the_topic() -> None:
    (topic,) = load_topics_toml(SMALL)
    assert validate_topic(topic) is topic
