"""Topics as data: definitions, validation, TOML and JSON forms, and pure editing helpers.

A topic is read the way an editor writes it: weighted words and phrases per language,
exclusion phrases that cancel what they cover (and may cost points), optional groups that
must all match within a window of tokens, a title weight and a threshold. Terms are plain
text matched on normalised stems, never regular expressions, so no definition can be slow.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

from classifiers.text import is_arabic_char, phrase_keys

_ID_RE: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
_LANG_RE: Final = re.compile(r"[a-z]{2}|any")
# Characters that only make sense in a pattern language; a term holding one is a mistake.
_PATTERN_CHARS: Final = frozenset("*?[]{}()|\\^$+")
MAX_TERM_CHARS: Final = 100
MAX_TERM_TOKENS: Final = 6
MAX_WEIGHT: Final = 20.0
MAX_WINDOW: Final = 500
DEFAULT_WEIGHT: Final = 1.0
DEFAULT_PENALTY: Final = 0.0


@dataclass(frozen=True)
class Term:
    """A word or phrase in one language ("any" for names shared by all) with its weight."""

    text: str
    lang: str
    weight: float = DEFAULT_WEIGHT


@dataclass(frozen=True)
class Group:
    """Terms of which at least one must match, near the other groups' matches."""

    name: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Topic:
    """One topic definition; see config/topics.toml for the meaning of each field."""

    id: str
    names: Mapping[str, str] = field(default_factory=dict)
    # Hashtag words per language where the name would not do; alerts otherwise tag the name.
    hashtags: Mapping[str, str] = field(default_factory=dict)
    terms: tuple[Term, ...] = ()
    exclusions: tuple[Term, ...] = ()
    groups: tuple[Group, ...] = ()
    threshold: float = 3.0
    title_weight: float = 2.0
    lede_weight: float = 1.0
    lede_words: int = 40
    body_weight: float = 1.0
    focus: float = 0.0
    window: int = 20
    max_repeats: int = 3


def _check_number(what: str, value: object, low: float, high: float) -> float:
    """A finite number within [low, high], or a ValueError naming what it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{what} must be between {low:g} and {high:g}, not {value!r}")
    return number


def validate_term(term: Term, what: str) -> None:
    """Reject a term an editor could not have meant: empty, too long, pattern syntax."""
    if not _LANG_RE.fullmatch(term.lang):
        raise ValueError(f"{what}: language {term.lang!r} must be a two-letter code or 'any'")
    text = term.text.strip()
    if not text:
        raise ValueError(f"{what}: empty term")
    if len(text) > MAX_TERM_CHARS:
        raise ValueError(f"{what}: {text[:20]!r}… is longer than {MAX_TERM_CHARS} characters")
    bad = sorted(_PATTERN_CHARS.intersection(text))
    if bad:
        raise ValueError(
            f"{what}: {text!r} contains {''.join(bad)!r}; terms are plain words or phrases, "
            "not regular expressions"
        )
    keys = phrase_keys(text, term.lang)
    if not keys:
        raise ValueError(f"{what}: {text!r} has no letters or digits to match")
    if len(keys) > MAX_TERM_TOKENS:
        raise ValueError(f"{what}: {text!r} has more than {MAX_TERM_TOKENS} words")
    _check_number(f"{what}: weight of {text!r}", term.weight, -MAX_WEIGHT, MAX_WEIGHT)


def _check_unique(terms: tuple[Term, ...], what: str) -> None:
    """Reject two entries that normalise to the same phrase in the same language."""
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for term in terms:
        key = (term.lang, phrase_keys(term.text, term.lang))
        if key in seen:
            raise ValueError(
                f"{what}: {term.text!r} and {seen[key]!r} match the same words ({term.lang})"
            )
        seen[key] = term.text


def validate_topic(topic: Topic) -> Topic:
    """Return the topic if it is a sound definition, else raise ValueError saying why."""
    if not isinstance(topic.id, str) or not _ID_RE.fullmatch(topic.id):
        raise ValueError(
            f"topic id {topic.id!r} must be lowercase letters, digits and _, starting with a letter"
        )
    where = f"topic {topic.id}"
    for what, table in (("name", topic.names), ("hashtag", topic.hashtags)):
        for lang, name in table.items():
            if not _LANG_RE.fullmatch(lang) or not isinstance(name, str) or not name.strip():
                raise ValueError(f"{where}: {what} for {lang!r} must be non-empty text")
    for term in topic.terms:
        validate_term(term, f"{where} term")
    _check_unique(topic.terms, f"{where} terms")
    for term in topic.exclusions:
        validate_term(term, f"{where} exclusion")
        if term.weight < 0:
            raise ValueError(f"{where} exclusion {term.text!r}: penalty must not be negative")
    _check_unique(topic.exclusions, f"{where} exclusions")
    names = [g.name for g in topic.groups]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: group names must be distinct")
    for group in topic.groups:
        if not _ID_RE.fullmatch(group.name):
            raise ValueError(f"{where}: group name {group.name!r} must be an identifier")
        if not group.terms:
            raise ValueError(f"{where} group {group.name}: needs at least one term")
        for term in group.terms:
            validate_term(term, f"{where} group {group.name}")
        _check_unique(group.terms, f"{where} group {group.name}")
    if not any(t.weight > 0 for t in topic.terms) and not topic.groups:
        raise ValueError(f"{where}: needs a term with a positive weight or a group")
    _check_number(f"{where}: threshold", topic.threshold, 0.1, 1000.0)
    _check_number(f"{where}: title_weight", topic.title_weight, 1.0, 10.0)
    _check_number(f"{where}: lede_weight", topic.lede_weight, 1.0, 10.0)
    _check_number(f"{where}: lede_words", topic.lede_words, 0, MAX_WINDOW)
    _check_number(f"{where}: body_weight", topic.body_weight, 0.0, 10.0)
    _check_number(f"{where}: focus", topic.focus, 0.0, 1000.0)
    _check_number(f"{where}: window", topic.window, 1, MAX_WINDOW)
    _check_number(f"{where}: max_repeats", topic.max_repeats, 1, 100)
    for name in ("window", "max_repeats", "lede_words"):
        if not isinstance(getattr(topic, name), int):
            raise ValueError(f"{where}: {name} must be a whole number")
    return topic


def _terms_from(table: object, what: str, default: float) -> tuple[Term, ...]:
    """Terms from a {lang: {text: weight}} table (a bare list of texts takes the default)."""
    if not isinstance(table, Mapping):
        raise ValueError(f"{what} must be a table of languages")
    out: list[Term] = []
    for lang, entries in table.items():
        if isinstance(entries, list):
            entries = dict.fromkeys(entries, default)
        if not isinstance(entries, Mapping):
            raise ValueError(f"{what}.{lang} must map terms to weights")
        for text, weight in entries.items():
            if not isinstance(text, str):
                raise ValueError(f"{what}.{lang}: term {text!r} must be text")
            number = _check_number(f"{what}.{lang}: weight of {text!r}", weight, -1e9, 1e9)
            out.append(Term(text, str(lang), number))
    return tuple(out)


def _terms_to(terms: tuple[Term, ...]) -> dict[str, dict[str, float]]:
    """The {lang: {text: weight}} table of some terms, in their order."""
    out: dict[str, dict[str, float]] = {}
    for term in terms:
        out.setdefault(term.lang, {})[term.text] = term.weight
    return out


_KNOWN_KEYS: Final = frozenset(f.name for f in fields(Topic))
# A topic's numbers: every field but its id, names, hashtags and term lists.
_TABLES: Final = {"id", "names", "hashtags", "terms", "exclusions", "groups"}
SCALAR_FIELDS: Final = tuple(sorted(_KNOWN_KEYS - _TABLES))


def topic_from_dict(d: Mapping[str, Any]) -> Topic:
    """A validated Topic from its dict form (the JSON stored in the database, or TOML)."""
    unknown = sorted(set(d) - _KNOWN_KEYS)
    if unknown:
        raise ValueError(f"topic {d.get('id')!r}: unknown field(s) {', '.join(unknown)}")
    if "id" not in d:
        raise ValueError("topic without an id")
    what = f"topic {d['id']}"
    groups_table = d.get("groups", {})
    if not isinstance(groups_table, Mapping):
        raise ValueError(f"{what}: groups must be a table of named groups")
    names, hashtags = d.get("names", {}), d.get("hashtags", {})
    if not isinstance(names, Mapping) or not isinstance(hashtags, Mapping):
        raise ValueError(f"{what}: names and hashtags must be tables of languages")
    topic = Topic(
        id=d["id"],
        names=dict(names),
        hashtags=dict(hashtags),
        terms=_terms_from(d.get("terms", {}), f"{what}: terms", DEFAULT_WEIGHT),
        exclusions=_terms_from(d.get("exclusions", {}), f"{what}: exclusions", DEFAULT_PENALTY),
        groups=tuple(
            Group(str(name), _terms_from(table, f"{what}: groups.{name}", DEFAULT_WEIGHT))
            for name, table in groups_table.items()
        ),
        threshold=d.get("threshold", Topic.threshold),
        title_weight=d.get("title_weight", Topic.title_weight),
        lede_weight=d.get("lede_weight", Topic.lede_weight),
        lede_words=d.get("lede_words", Topic.lede_words),
        body_weight=d.get("body_weight", Topic.body_weight),
        focus=d.get("focus", Topic.focus),
        window=d.get("window", Topic.window),
        max_repeats=d.get("max_repeats", Topic.max_repeats),
    )
    return validate_topic(topic)


def topic_to_dict(topic: Topic) -> dict[str, Any]:
    """The JSON-ready dict form of a topic; topic_from_dict() reads it back unchanged."""
    # Only topics that set hashtags carry the key: admins' topics keep their stored form.
    hashtags = {"hashtags": dict(topic.hashtags)} if topic.hashtags else {}
    return {
        "id": topic.id,
        "names": dict(topic.names),
        **hashtags,
        "threshold": topic.threshold,
        "title_weight": topic.title_weight,
        "lede_weight": topic.lede_weight,
        "lede_words": topic.lede_words,
        "body_weight": topic.body_weight,
        "focus": topic.focus,
        "window": topic.window,
        "max_repeats": topic.max_repeats,
        "terms": _terms_to(topic.terms),
        "exclusions": _terms_to(topic.exclusions),
        "groups": {g.name: _terms_to(g.terms) for g in topic.groups},
    }


def load_topics_toml(text: str) -> list[Topic]:
    """Topics from TOML text with one [topics.<id>] table per topic, in file order."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"topics file is not valid TOML: {exc}") from exc
    table = data.get("topics")
    if not isinstance(table, Mapping) or not table:
        raise ValueError("topics file needs at least one [topics.<id>] table")
    topics = []
    for topic_id, body in table.items():
        if not isinstance(body, Mapping):
            raise ValueError(f"[topics.{topic_id}] must be a table")
        if "id" in body and body["id"] != topic_id:
            raise ValueError(f"[topics.{topic_id}] has a different id {body['id']!r}")
        topics.append(topic_from_dict({**body, "id": topic_id}))
    return topics


def _term_lang(text: str, lang: str | None) -> str:
    """The language a new term is filed under: given, Arabic by script, else any."""
    if lang is not None:
        return lang
    return "ar" if any(is_arabic_char(c) for c in text) else "any"


def _same(a: Term, text: str, lang: str | None) -> bool:
    """Whether a stored term is the one an admin names (same words, any spelling)."""
    if lang is not None and a.lang != lang:
        return False
    return phrase_keys(a.text, a.lang) == phrase_keys(text, a.lang)


def _insert(terms: tuple[Term, ...], new: Term) -> tuple[Term, ...]:
    """Terms with a new one after the last of its language, the order the dict form keeps."""
    last = max((i for i, t in enumerate(terms) if t.lang == new.lang), default=len(terms) - 1)
    return (*terms[: last + 1], new, *terms[last + 1 :])


def with_term(topic: Topic, lang: str | None, term: str, weight: float = DEFAULT_WEIGHT) -> Topic:
    """A copy of the topic with a term added, or its weight changed if already there."""
    new = Term(term.strip(), _term_lang(term, lang), weight)
    kept = tuple(t for t in topic.terms if not _same(t, new.text, new.lang))
    return validate_topic(replace(topic, terms=_insert(kept, new)))


def without_term(topic: Topic, term: str, lang: str | None = None) -> Topic:
    """A copy of the topic without a term (in every language unless lang is given)."""
    kept = tuple(t for t in topic.terms if not _same(t, term, lang))
    if len(kept) == len(topic.terms):
        raise ValueError(f"topic {topic.id} has no term {term!r}")
    return validate_topic(replace(topic, terms=kept))


def with_exclusion(
    topic: Topic, term: str, lang: str | None = None, penalty: float = DEFAULT_PENALTY
) -> Topic:
    """A copy of the topic with an exclusion phrase added (or its penalty changed)."""
    new = Term(term.strip(), _term_lang(term, lang), penalty)
    kept = tuple(t for t in topic.exclusions if not _same(t, new.text, new.lang))
    return validate_topic(replace(topic, exclusions=_insert(kept, new)))


def without_exclusion(topic: Topic, term: str, lang: str | None = None) -> Topic:
    """A copy of the topic without an exclusion phrase."""
    kept = tuple(t for t in topic.exclusions if not _same(t, term, lang))
    if len(kept) == len(topic.exclusions):
        raise ValueError(f"topic {topic.id} has no exclusion {term!r}")
    return validate_topic(replace(topic, exclusions=kept))


def with_threshold(topic: Topic, threshold: float) -> Topic:
    """A copy of the topic with another threshold."""
    return validate_topic(replace(topic, threshold=threshold))
