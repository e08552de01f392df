"""Online story threading: is an article a new event, or a further report of a recent story?

After Miranda et al., "Multilingual Clustering of Streaming News" (EMNLP 2018): each
article becomes a sparse TF-IDF vector over the normalised keys of its title and lede,
weighted with document frequencies counted online over the window; it is compared with the
stories that are still open (their centroid and their closest member), and a time gap
lowers the score. A shared-vocabulary score alone joins two events of one kind (two
attacks the same day, two bulletins of the same ministry), so a join also needs agreement
on the article's distinctive terms — words rare in the running counts, numbers, headline
words — and two headlines with conflicting distinctive terms stay apart.

Every decision depends only on the articles added before it; memory is bounded by the
window (stories, their index entries and the document frequencies older than it are
dropped).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from operator import itemgetter
from typing import Final

from classifiers.story_records import (
    Decision,
    Evidence,
    StoryArticle,
    StoryParams,
    article_from_json,
    decision_to_json,
)
from classifiers.story_terms import TermReader, cosine, is_figure, is_reaction, loose_keys
from classifiers.text import detect_language

__all__ = [
    "Decision",
    "Evidence",
    "StoryArticle",
    "StoryParams",
    "StoryThreader",
    "article_from_json",
    "decision_to_json",
    "is_figure",
    "thread",
]

_MEMBERS_COMPARED: Final = 12
_SENTENCE_END: Final = re.compile(r"[.!?؟\n]")


@dataclass(slots=True)
class _Doc:
    """An analysed article kept while it is in the window."""

    id: str
    published: datetime
    vector: dict[str, float]  # unit-length TF-IDF weights, frozen at arrival
    title: frozenset[str]  # keys of its headline
    lede: frozenset[str]  # keys of its headline and first lines
    terms: frozenset[str]  # every distinct key of its title and lede, until it joins
    event: frozenset[str] | None = None  # a reaction's headline and first sentence


@dataclass(slots=True)
class _Match:
    """An article scored against one story."""

    story: _Story
    closest: _Doc
    score: float
    names: float
    conflict: int
    shared: dict[str, float]
    figures: int
    adjusted: float


@dataclass(slots=True, eq=False)
class _Story:
    """An open story: its members, centroid and vocabulary."""

    id: str
    first: datetime
    last: datetime
    members: list[_Doc] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)
    norm: float = 0.0
    vocab: dict[str, int] = field(default_factory=dict)  # term -> members using it
    # Dicts of strings, not sets: the garbage collector skips them (sets it always scans).
    figures: dict[str, None] = field(default_factory=dict)  # figures in its members' ledes
    indexed: dict[str, None] = field(default_factory=dict)  # its terms in the index
    titles: dict[str, int] = field(default_factory=dict)  # headline key -> members using it
    title_figures: dict[str, None] = field(default_factory=dict)  # figures in its headlines
    loose: dict[str, None] = field(default_factory=dict)  # loose_keys of its vocabulary


class StoryThreader:
    """Online story threading: add() articles in publication order, get a Decision each."""

    def __init__(
        self, window: timedelta = timedelta(hours=48), params: StoryParams | None = None
    ) -> None:
        """An empty threader; stories and counts older than window are forgotten."""
        self.window = window
        self.params = params or StoryParams()
        self._reader = TermReader()
        self._df: dict[str, int] = {}
        self._docs: deque[tuple[datetime, tuple[str, ...]]] = deque()
        # Term -> open stories using it, oldest first (eviction removes from the front).
        # Story objects, not their ids: they hash and compare by identity, without reading
        # the id strings scattered in memory.
        self._postings: dict[str, list[_Story]] = {}
        # Open stories, oldest first: a story takes reports for one window after it broke.
        self._order: deque[_Story] = deque()
        self._open: dict[str, _Story] = {}  # the same stories by id, for restore()
        self._now: datetime | None = None

    @property
    def open_stories(self) -> int:
        """Stories still inside the window."""
        return len(self._order)

    @property
    def counted_docs(self) -> int:
        """Articles whose terms are in the running document frequencies."""
        return len(self._docs)

    @property
    def counted_terms(self) -> int:
        """Distinct terms in the running document frequencies."""
        return len(self._df)

    def add(self, article: StoryArticle) -> Decision:
        """Thread one article: join the best open story, or start a new one."""
        if article.published.tzinfo is None:
            raise ValueError("published must be timezone-aware")
        now = article.published if self._now is None else max(self._now, article.published)
        self._now = now
        self._evict(now - self.window)
        doc = self._analyse(article)
        story, evidence = self._choose(doc)
        self._count(doc)
        if story is None:
            story = self._open_story(doc.id, doc.published)
        self._join(story, doc)
        return Decision(article.id, story.id, evidence)

    def _open_story(self, story_id: str, first: datetime) -> _Story:
        """A new open story, at the back of the order."""
        story = _Story(story_id, first, first)
        self._order.append(story)
        self._open[story_id] = story
        return story

    # -- analysis -------------------------------------------------------------------------

    def _analyse(self, article: StoryArticle) -> _Doc:
        """The article's TF-IDF vector (weights frozen now) and its title and lede keys."""
        p = self.params
        lang = article.lang or detect_language(f"{article.title}\n{article.text[:600]}")
        title = self._reader.terms(article.title, lang, self._df)
        body = self._reader.terms(article.text, lang, self._df, p.lede_tokens)
        lede = body[: p.names_tokens]
        tf: dict[str, float] = Counter(body)  # type: ignore[assignment]
        for key in title:
            tf[key] = tf.get(key, 0.0) + p.title_weight
        power = p.idf_power
        n = len(self._docs) + p.prior_docs
        get = self._df.get
        log = math.log
        vector = {
            key: (1.0 + log(count)) * log(n / (get(key, 0) + 1.0)) ** power
            for key, count in tf.items()
        }
        # Strongest first; the strongest terms carry the similarity, the tail costs time.
        kept = sorted(vector, key=vector.__getitem__, reverse=True)[: p.vector_terms]
        vector = {k: vector[k] for k in kept}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        event = None
        if p.reactions and is_reaction(article.title):
            first = _SENTENCE_END.split(article.text, maxsplit=1)[0]
            event = frozenset(title + self._reader.terms(first, lang, self._df, p.names_tokens))
        return _Doc(
            article.id,
            article.published,
            {k: w / norm for k, w in vector.items()},
            frozenset(title),
            frozenset(title + lede),
            frozenset(tf),
            event,
        )

    def _count(self, doc: _Doc) -> None:
        """Add the article's terms to the running document frequencies."""
        self._docs.append((doc.published, tuple(doc.terms)))
        df = self._df
        for key in doc.terms:
            df[key] = df.get(key, 0) + 1

    # -- decision -------------------------------------------------------------------------

    def _candidates(self, doc: _Doc) -> list[_Story]:
        """Open stories sharing a not-too-common term, the most promising first."""
        p = self.params
        cap = max(2.0, min(p.posting_max, p.posting_cap * (len(self._docs) + p.prior_docs)))
        scores: dict[_Story, float] = {}
        get = scores.get
        postings = self._postings
        # The strongest terms find the stories (vectors are sorted strongest first).
        for term, weight in islice(doc.vector.items(), p.retrieval_terms):
            posting = postings.get(term)
            if not posting or len(posting) > cap:
                continue
            for story in posting:
                scores[story] = get(story, 0.0) + weight
        best = heapq.nlargest(p.candidates, scores, key=scores.__getitem__)
        return best

    def _distinctive(self, terms: Iterable[str], story: _Story) -> dict[str, float]:
        """Terms rare in the window outside the story (names, places, figures), with idf."""
        p = self.params
        n = len(self._docs) + p.prior_docs
        limit = p.rare_df * n
        df, vocab = self._df, story.vocab
        out = {}
        for t in terms:
            outside = max(0, df.get(t, 0) - vocab.get(t, 0))
            if outside <= limit or t.isdigit():
                out[t] = math.log(n / (outside + 1.0))
        return out

    def _similarity(self, doc: _Doc, story: _Story, centroid: float) -> tuple[float, _Doc]:
        """TF-IDF similarity to a story (its centroid and closest member), less time decay.

        centroid: the article's cosine with the story's centroid, computed to rank it.
        """
        vector = doc.vector
        gap = (doc.published - story.first) / self.window
        decay = self.params.decay * max(0.0, gap)
        members = story.members
        if len(members) == 1:
            # One article: it is its own centroid.
            return centroid - decay, members[0]
        if len(members) > _MEMBERS_COMPARED:
            # A big story: its first report and the latest ones stand for it.
            members = [members[0], *members[1 - _MEMBERS_COMPARED :]]
        closest, member = members[0], -1.0
        for m in members:
            sim = cosine(vector, m.vector)
            if sim > member:
                closest, member = m, sim
        return 0.5 * (centroid + member) - decay, closest

    def _score(self, doc: _Doc, story: _Story, score: float, closest: _Doc) -> _Match:
        """How well the article fits a story: its similarity, names agreement, conflicts."""
        p = self.params
        # A reaction is judged on the event it names, not on its own commentary.
        rare = self._distinctive(doc.event or doc.lede, story)
        vocab = story.vocab
        known = self._known_to(story)
        shared = {t: w for t, w in rare.items() if known(t)}
        total = sum(rare.values())
        names = sum(shared.values()) / total if total else 0.0
        # A conflict: each headline has distinctive terms the other side never uses.
        ours = self._distinctive(doc.title, story)
        new_in_title = sum(1 for t in ours if not known(t))
        # The story's headline core: words in at least a third of its headlines.
        size = len(story.members)
        core = [t for t, c in story.titles.items() if 3 * c >= size]
        theirs = self._distinctive(core, story)
        missing_from_us = sum(1 for t in theirs if t not in doc.terms)
        # A reaction's headline names who reacts, not the event: no headline conflict.
        conflict = 0 if doc.event else min(new_in_title, missing_from_us)
        # Figures: a toll or a count each side gives and the other does not.
        limit = p.rare_df * (len(self._docs) + p.prior_docs)
        df = self._df
        our_figures = [
            t for t in doc.lede if is_figure(t) and t not in vocab and df.get(t, 0) <= limit
        ]
        their_figures = [
            t for t in story.figures if t not in doc.terms and df.get(t, 0) - vocab[t] <= limit
        ]
        figures = min(len(our_figures), len(their_figures))
        # Headline figures (the toll, the count) that disagree outright: neither side's lede
        # gives the other's. Outlets headline different figures of one event (the dead, the
        # total), and a lede that gives both reconciles them.
        ours_head = {t for t in doc.title if is_figure(t)}
        if (
            ours_head
            and story.title_figures
            and ours_head.isdisjoint(story.figures)
            and doc.lede.isdisjoint(story.title_figures)
        ):
            figures += 1
        adjusted = (
            (1.0 - p.names_weight) * score
            + p.names_weight * names
            - p.figure_penalty * min(figures, 2)
            - p.conflict_penalty * min(conflict, 3)
        )
        return _Match(story, closest, score, names, conflict, shared, figures, adjusted)

    def _known_to(self, story: _Story) -> Callable[[str], bool]:
        """Whether the story uses a term, or one spelt like it (a name transliterated)."""
        vocab, loose = story.vocab, story.loose
        if not self.params.loose_names:
            return vocab.__contains__

        def known(term: str) -> bool:
            return term in vocab or any(k in loose for k in loose_keys(term))

        return known

    def _choose(self, doc: _Doc) -> tuple[_Story | None, Evidence]:
        """The story the article joins (None for a new one) and the evidence."""
        p = self.params
        best: _Match | None = None
        # Names and conflicts are weighed for the few most similar stories only.
        # The centroids rank the candidates; the closest members refine the best few.
        vector = doc.vector
        near = sorted(
            ((cosine(vector, s.centroid) / s.norm, s) for s in self._candidates(doc)),
            key=itemgetter(0),
            reverse=True,
        )
        similar = sorted(
            ((self._similarity(doc, s, c), s) for c, s in near[: 2 * p.finalists]),
            key=lambda pair: pair[0][0],
            reverse=True,
        )
        # A reaction shares little wording with the reports of its event but their names.
        floor = p.reaction_floor if doc.event else p.floor
        for (score, closest), story in similar[: p.finalists]:
            if score < floor:
                break  # too far to join whatever the names say
            match = self._score(doc, story, score, closest)
            if best is None or match.adjusted > best.adjusted:
                best = match
        if best is None:
            if not similar:
                return None, Evidence(None, 0.0, (), 0.0, "new")
            (score, closest), _ = similar[0]
            return None, Evidence(closest.id, round(score, 3), (), 0.0, "new", round(score, 3))
        shared = tuple(sorted(best.shared, key=best.shared.__getitem__, reverse=True)[:8])
        if best.names < p.names_min:
            reason = "new: too few shared names"
        elif best.adjusted < p.threshold:
            reason = "new: conflicting names or figures"
        else:
            reason = "joined"
        evidence = Evidence(
            matched=best.closest.id,
            similarity=round(best.score, 3),
            shared=shared,
            names=round(best.names, 3),
            reason=reason,
            score=round(best.adjusted, 3),
            conflicts=best.figures + best.conflict,
        )
        return (best.story if reason == "joined" else None), evidence

    # -- bookkeeping ----------------------------------------------------------------------

    def _join(self, story: _Story, doc: _Doc) -> None:
        """Add the article to the story: centroid, vocabulary, index."""
        story.members.append(doc)
        story.figures.update((t, None) for t in doc.lede if is_figure(t))
        for term in doc.title:
            story.titles[term] = story.titles.get(term, 0) + 1
        story.title_figures.update((t, None) for t in doc.title if is_figure(t))
        story.last = max(story.last, doc.published)
        if len(story.members) == 1:
            # Most stories keep one article: its vector is the centroid, shared, not copied.
            story.centroid = doc.vector
            story.norm = 1.0
        else:
            if len(story.members) == 2:
                story.centroid = dict(story.centroid)
            centroid = story.centroid
            for term, weight in doc.vector.items():
                centroid[term] = centroid.get(term, 0.0) + weight
            story.norm = math.sqrt(sum(w * w for w in centroid.values()))
        vocab = story.vocab
        loose = story.loose
        for term in doc.vector.keys() | doc.lede:
            vocab[term] = vocab.get(term, 0) + 1
            if self.params.loose_names:
                loose.update(dict.fromkeys(loose_keys(term)))
        # The index holds each member's strongest terms, those that look stories up.
        indexed = story.indexed
        postings = self._postings
        for term in islice(doc.vector, self.params.retrieval_terms):
            if term not in indexed:
                indexed[term] = None
                postings.setdefault(term, []).append(story)
        # Only the vector is compared later; the rest of the analysis can go.
        doc.title = doc.lede = frozenset()
        doc.terms = frozenset()

    def _evict(self, cutoff: datetime) -> None:
        """Forget stories that broke before cutoff, and older articles' counts."""
        # Same story = reports within the window of the event: a development days later
        # (the trial, a new operation) is a new story, and memory stays bounded.
        while self._order and self._order[0].first < cutoff:
            story = self._order.popleft()
            self._open.pop(story.id, None)
            for term in story.indexed:
                posting = self._postings[term]
                posting.remove(story)
                if not posting:
                    del self._postings[term]
        df = self._df
        while self._docs and self._docs[0][0] < cutoff:
            _, terms = self._docs.popleft()
            for key in terms:
                left = df[key] - 1
                if left:
                    df[key] = left
                else:
                    del df[key]

    def restore(self, article: StoryArticle, story: str) -> None:
        """Re-add an article already threaded into `story`, deciding nothing (a rebuild).

        Restoring a stream's decisions in their order leaves the state that adding the
        stream left, so the decisions after a restart are those without it.
        """
        if article.published.tzinfo is None:
            raise ValueError("published must be timezone-aware")
        now = article.published if self._now is None else max(self._now, article.published)
        self._now = now
        self._evict(now - self.window)
        doc = self._analyse(article)
        self._count(doc)
        known = self._open.get(story) or self._open_story(story, doc.published)
        self._join(known, doc)


def thread(
    articles: Iterable[StoryArticle], window: timedelta = timedelta(hours=48)
) -> list[Decision]:
    """Thread a stream of articles in order with a fresh threader."""
    threader = StoryThreader(window)
    return [threader.add(a) for a in articles]
