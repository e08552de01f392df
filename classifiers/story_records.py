"""What story threading takes and gives: articles, decisions with evidence, knobs, JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """What threading needs of one article; published must be timezone-aware."""

    id: str
    title: str
    text: str
    published: datetime
    lang: str | None = None
    feed: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why an article joined a story, or why it started one."""

    matched: str | None  # the closest earlier article of the closest story
    similarity: float  # TF-IDF similarity to that story, less the time decay
    shared: tuple[str, ...]  # distinctive words and names both sides use (matching keys)
    names: float  # agreement on distinctive terms, 0..1
    reason: str  # "joined", "new", or why the closest story was refused
    score: float = 0.0  # what decided: similarity and names, less conflicts; joins >= threshold
    conflicts: int = 0  # disagreeing figures and headline names counted against the join


@dataclass(frozen=True, slots=True)
class Decision:
    """The story an article belongs to; a new story takes its first article's id."""

    id: str
    story: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class StoryParams:
    """The threader's knobs; the defaults are the tuned ones."""

    title_weight: float = 3.0  # a headline word counts as this many body occurrences
    lede_tokens: int = 250  # body tokens read: the lede carries the event
    prior_docs: float = 20.0  # pseudo-documents smoothing idf while the window fills
    rare_df: float = 0.02  # a term in at most this share of the window is distinctive
    names_tokens: int = 60  # body tokens whose distinctive terms must agree
    idf_power: float = 1.5  # above 1, rare terms (names) outweigh common ones further
    names_weight: float = 0.5  # share of the score that agreement on distinctive terms makes
    figure_penalty: float = 0.25  # score lost per figure each side gives and the other lacks
    conflict_penalty: float = 0.05  # score lost per distinctive headline term in conflict
    threshold: float = 0.20  # score needed to join a story
    names_min: float = 0.10  # agreement on distinctive terms needed to join
    floor: float = 0.20  # similarity below which a story is not weighed at all
    loose_names: bool = True  # whether names match spelt loosely (transliterations)
    reactions: bool = True  # whether a reaction is judged on its first sentence
    reaction_floor: float = 0.10  # a reaction's similarity below which it is not weighed
    decay: float = 0.10  # score lost over a whole window of time gap
    vector_terms: int = 80  # strongest terms kept in an article's vector
    retrieval_terms: int = 20  # strongest terms of an article that look up stories
    candidates: int = 12  # stories whose similarity is computed, by shared term weight
    finalists: int = 3  # most similar stories weighed for names and conflicts
    posting_cap: float = 0.05  # terms in more of the window than this do not fetch candidates
    posting_max: int = 40  # nor terms in more open stories than this


def article_from_json(row: Mapping[str, Any]) -> StoryArticle:
    """A StoryArticle from a JSON object: id, title, text, published (ISO 8601), lang, feed.

    `outlet` stands for `feed`; a published time without a zone is taken as UTC.
    """
    if not isinstance(row, Mapping):
        raise ValueError("each line must be a JSON object")
    if row.get("id") is None:
        raise ValueError("id is missing")
    try:
        published = datetime.fromisoformat(str(row["published"]))
    except KeyError:
        raise ValueError("published is missing") from None
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return StoryArticle(
        id=str(row["id"]),
        title=str(row.get("title") or ""),
        text=str(row.get("text") or ""),
        published=published,
        lang=str(row["lang"]).strip().lower() if row.get("lang") else None,
        feed=str(row.get("feed") or row.get("outlet") or ""),
    )


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The output record of one threaded article."""
    ev = decision.evidence
    return {
        "id": decision.id,
        "story": decision.story,
        "evidence": {
            "reason": ev.reason,
            "matched": ev.matched,
            "similarity": ev.similarity,
            "names": ev.names,
            "score": ev.score,
            "conflicts": ev.conflicts,
            "shared": list(ev.shared),
        },
    }
