"""The classifier: all topics compiled into one index, matched in one pass per article."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from classifiers.text import Keyed, detect_language, key_tokens, phrase_keys, token_spans
from classifiers.topics import Term, Topic, validate_topic

TITLE: Final = "title"
BODY: Final = "body"
_TERM: Final = 0
_EXCLUSION: Final = 1
_GROUP: Final = 2
_LANG_SAMPLE: Final = 600


@dataclass(frozen=True)
class TopicResult:
    """One topic's verdict on one article, with the evidence an editor can check."""

    topic: str
    score: float
    threshold: float
    matched: bool
    evidence: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Classification:
    """All topics' verdicts on one article."""

    language: str | None
    results: tuple[TopicResult, ...]

    @property
    def topics(self) -> tuple[str, ...]:
        """Ids of the topics the article carries."""
        return tuple(r.topic for r in self.results if r.matched)

    def result(self, topic_id: str) -> TopicResult:
        """The verdict for one topic id."""
        for r in self.results:
            if r.topic == topic_id:
                return r
        raise KeyError(topic_id)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A compiled term, exclusion or group term, keyed in the index by its first key."""

    uid: int
    topic: int
    kind: int
    group: int
    weight: float
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Hit:
    """One occurrence of an entry: which field, and the token range it covers."""

    entry: _Entry
    field: str
    start: int
    end: int


_Index = dict[str, list[_Entry]]


@dataclass(slots=True)
class _Field:
    """One analysed field (title or body); token spans are found only for evidence."""

    text: str
    lang: str | None
    keyed: Keyed
    spans: list[tuple[int, int]] | None = None

    def surface(self, start: int, end: int) -> str:
        """The words of tokens start..end-1 as the publisher wrote them."""
        if self.spans is None:
            self.spans = token_spans(self.text, self.lang, len(self.keyed.keys))
        return self.text[self.spans[start][0] : self.spans[end - 1][1]]


_Fields = dict[str, _Field]


def _active(term: Term, lang: str | None) -> bool:
    """Whether a term written for term.lang applies to an article in language lang."""
    if term.lang == "any" or term.lang == lang:
        return True
    return lang is None and term.lang in ("ar", "en")


class Classifier:
    """Multi-label topic classifier; build once, then classify() many articles."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        """Validate the topics and compile the common languages' indexes."""
        ids = [t.id for t in topics]
        if len(set(ids)) != len(ids):
            raise ValueError("topic ids must be distinct")
        self.topics: tuple[Topic, ...] = tuple(validate_topic(t) for t in topics)
        self._indexes: dict[str | None, _Index] = {}
        for lang in ("ar", "en", "fr", None):
            self._index(lang)

    def _index(self, lang: str | None) -> _Index:
        """The index for articles in one language, compiled on first use."""
        index = self._indexes.get(lang)
        if index is not None:
            return index
        index = {}
        uid = 0
        for ti, topic in enumerate(self.topics):
            sources: list[tuple[int, int, tuple[Term, ...]]] = [
                (_TERM, -1, topic.terms),
                (_EXCLUSION, -1, topic.exclusions),
            ]
            sources += [(_GROUP, gi, g.terms) for gi, g in enumerate(topic.groups)]
            for kind, gi, terms in sources:
                for term in terms:
                    uid += 1
                    if not _active(term, lang):
                        continue
                    keys = phrase_keys(term.text, lang if term.lang == "any" else term.lang)
                    weight = term.weight
                    index.setdefault(keys[0], []).append(_Entry(uid, ti, kind, gi, weight, keys))
        self._indexes[lang] = index
        return index

    def classify(self, title: str, text: str, lang: str | None = None) -> Classification:
        """Classify one article: title and body are kept apart for weights and evidence."""
        return self.classify_for_index(title, text, lang)[0]

    def classify_for_index(
        self, title: str, text: str, lang: str | None = None
    ) -> tuple[Classification, str]:
        """Classify, and return the search text built from the same single analysis.

        The search text equals `normalise_for_search(title + "\n" + text, language)`: the
        pipeline indexes every article it classifies, and analysing twice doubled the cost.
        """
        lang = lang.strip().lower() or None if lang else None
        if lang is None:
            # The headline and opening settle a news article's language; reading on costs time.
            lang = detect_language(f"{title}\n{text[:_LANG_SAMPLE]}")
        fields = {
            TITLE: _Field(title, lang, key_tokens(title, lang)),
            BODY: _Field(text, lang, key_tokens(text, lang)),
        }
        search_text = " ".join(f.keyed.search for f in fields.values() if f.keyed.search)
        return self._judge_fields(lang, fields), search_text

    def _judge_fields(self, lang: str | None, fields: _Fields) -> Classification:
        """Score every topic on analysed fields."""
        index = self._index(lang)
        per_topic: list[list[_Hit]] = [[] for _ in self.topics]
        for name, field in fields.items():
            for hit in _find(index, field.keyed, name):
                per_topic[hit.entry.topic].append(hit)
        offset = len(fields[TITLE].keyed.keys)
        results = tuple(
            _judge(topic, hits, fields, offset)
            for topic, hits in zip(self.topics, per_topic, strict=True)
        )
        return Classification(lang, results)


def _find(index: _Index, keyed: Keyed, field: str) -> list[_Hit]:
    """Every occurrence of every indexed phrase in one field's tokens."""
    keys, alts = keyed.keys, keyed.alts
    # The hot loop: comprehensions keep only the few tokens that start some phrase.
    starts = [i for i, key in enumerate(keys) if key in index]
    starts += [i for i, alt in enumerate(alts) if alt is not None and alt in index]
    hits: list[_Hit] = []
    n = len(keys)
    for i in sorted(set(starts)):
        key, alt = keys[i], alts[i]
        cands = index.get(key, [])
        if alt is not None and alt in index:
            cands = [*cands, *index[alt]]
        seen: set[int] = set()
        for entry in cands:
            if entry.uid in seen:
                continue
            size = len(entry.keys)
            if size > 1 and not _continues(keyed, i, entry.keys, n):
                continue
            seen.add(entry.uid)
            hits.append(_Hit(entry, field, i, i + size))
    return hits


def _continues(keyed: Keyed, i: int, keys: tuple[str, ...], n: int) -> bool:
    """Whether the tokens after position i carry the rest of a phrase's keys."""
    if i + len(keys) > n:
        return False
    for j in range(1, len(keys)):
        if keyed.keys[i + j] != keys[j] and keyed.alts[i + j] != keys[j]:
            return False
    return True


def _surface(hit: _Hit, fields: _Fields) -> str:
    """The hit's words as the publisher wrote them."""
    return fields[hit.field].surface(hit.start, hit.end)


def _describe(hits: list[_Hit], fields: _Fields) -> tuple[str, ...]:
    """Readable evidence: each distinct surface form with its field and count, title first."""
    counts: dict[tuple[str, str], int] = {}
    spans = {(h.field, h.start, h.end): h for h in hits}  # a word in two groups shows once
    for hit in sorted(spans.values(), key=lambda h: (h.field != TITLE, h.start)):
        key = (_surface(hit, fields), hit.field)
        counts[key] = counts.get(key, 0) + 1
    return tuple(
        f"{surface} ({field})" if n == 1 else f"{surface} ({field} ×{n})"
        for (surface, field), n in counts.items()
    )


def _factor(hit: _Hit, topic: Topic) -> float:
    """How much a hit counts by where it is: title, lede (first lede_words of the body), rest."""
    if hit.field == TITLE:
        return topic.title_weight
    return topic.lede_weight if hit.start < topic.lede_words else topic.body_weight


def _in_focus(hit: _Hit, topic: Topic) -> bool:
    """Whether a hit is in the headline or the lede, where a story says what it is about."""
    return hit.field == TITLE or hit.start < topic.lede_words


def _value(hits: list[_Hit], topic: Topic) -> float:
    """Sum of the hits' weights times their place factor, at most max_repeats per entry."""
    by_entry: dict[int, list[float]] = {}
    for hit in hits:
        by_entry.setdefault(hit.entry.uid, []).append(hit.entry.weight * _factor(hit, topic))
    total = 0.0
    for values in by_entry.values():
        values.sort(key=abs, reverse=True)
        total += sum(values[: topic.max_repeats])
    return total


def _position(hit: _Hit, offset: int) -> int:
    """Token position of a hit in the title-then-body stream."""
    return hit.start if hit.field == TITLE else hit.start + offset


def _clusters(topic: Topic, hits: list[_Hit], offset: int) -> tuple[float, float, list[_Hit]]:
    """Value of the separate places where every group matches within topic.window tokens.

    Scanning left to right, each time the last window words hold a hit of every group
    that is one co-occurrence, worth its best place factor (title, lede, body); its hits
    are then spent, so one sentence is not counted once per word. Returns the total, the
    part found in the headline or lede, and the hits used.
    """
    need = len(topic.groups)
    points = sorted(hits, key=lambda h: _position(h, offset))
    have: dict[int, int] = {}
    lo = 0
    total = focus = 0.0
    used: list[_Hit] = []
    for i, hit in enumerate(points):
        pos = _position(hit, offset)
        have[hit.entry.group] = have.get(hit.entry.group, 0) + 1
        while pos - _position(points[lo], offset) >= topic.window:
            old = points[lo].entry.group
            have[old] -= 1
            if not have[old]:
                del have[old]
            lo += 1
        if len(have) == need:
            window = points[lo : i + 1]
            value = max(_factor(h, topic) for h in window)
            total += value
            if any(_in_focus(h, topic) for h in window):
                focus += value
            used += window
            have = {}
            lo = i + 1
    return total, focus, used


def _longest(hits: list[_Hit]) -> list[_Hit]:
    """Drop hits lying inside a longer hit: «سيارة مفخخة» counts once, not also as «مفخخة»."""
    spans = {(h.field, h.start, h.end) for h in hits if h.end - h.start > 1}
    if not spans:
        return hits
    return [
        h
        for h in hits
        if not any(
            f == h.field and s <= h.start and h.end <= e and e - s > h.end - h.start
            for f, s, e in spans
        )
    ]


def _judge(topic: Topic, hits: list[_Hit], fields: _Fields, offset: int) -> TopicResult:
    """Score one topic: exclusions mask what they cover; groups score by co-occurrence."""
    if not hits:
        absent = tuple(g.name for g in topic.groups)
        return TopicResult(topic.id, 0.0, topic.threshold, False, (), (), absent)
    excl = [h for h in hits if h.entry.kind == _EXCLUSION]
    masked = {(h.field, p) for h in excl for p in range(h.start, h.end)}
    kept = [
        h
        for h in hits
        if h.entry.kind != _EXCLUSION
        and not any((h.field, p) in masked for p in range(h.start, h.end))
    ]
    terms = _longest([h for h in kept if h.entry.kind == _TERM])
    score = _value(terms, topic) - _value(excl, topic)
    focus = _value([h for h in terms if _in_focus(h, topic)], topic)
    evidence = [h for h in terms if h.entry.weight > 0]
    against = excl + [h for h in terms if h.entry.weight < 0]
    missing: tuple[str, ...] = ()
    if topic.groups:
        group_hits = [h for h in kept if h.entry.kind == _GROUP]
        found = {h.entry.group for h in group_hits}
        missing = tuple(g.name for gi, g in enumerate(topic.groups) if gi not in found)
        together, in_focus, used = _clusters(topic, group_hits, offset)
        score += together
        focus += in_focus
        evidence += used
        if not missing and not used:
            missing = (f"all groups within {topic.window} words",)
    if topic.focus and focus < topic.focus and not missing:
        missing = (f"headline or lede worth {topic.focus:g}",)
    return TopicResult(
        topic=topic.id,
        score=round(score, 2),
        threshold=topic.threshold,
        matched=score >= topic.threshold and not missing,
        evidence=_describe(evidence, fields),
        excluded=_describe(against, fields),
        missing=missing,
    )


def explain(classification: Classification) -> str:
    """A readable account of the decision, one block per topic."""
    lines = [f"language: {classification.language or 'unknown'}"]
    for r in classification.results:
        mark = "YES" if r.matched else "no "
        cmp = ">=" if r.score >= r.threshold else "<"
        lines.append(f"{mark} {r.topic}: score {r.score:g} {cmp} threshold {r.threshold:g}")
        if r.evidence:
            lines.append("    evidence: " + "; ".join(r.evidence))
        if r.excluded:
            lines.append("    excluded: " + "; ".join(r.excluded))
        if r.missing:
            lines.append("    missing: " + ", ".join(r.missing))
    topics = ", ".join(classification.topics) or "none"
    lines.append(f"topics: {topics}")
    return "\n".join(lines)
