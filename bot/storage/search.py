"""Full-text search over stored articles: SQLite FTS5 or PostgreSQL, ranked by relevance and age.

The index holds `normalise_for_search(title + text)`, so queries go through the same
normalisation (classifiers.query_alternatives): «الارهاب» finds «الإرهاب», vocalised or
tatweel'd words find their plain form. Every query token becomes a quoted FTS5 string or a
quoted tsquery lexeme, so no user input can be read as search syntax.

Ranking is relevance (bm25 / ts_rank) divided by an age factor, over the newest
RANK_WINDOW matches: a word found in twelve thousand articles of a year is ranked among its
latest 500 (two weeks of them), which keeps every query under 50 ms on 100,000 articles
(bench/bench_search.py) and costs little, since an older match needs several times the
relevance of a recent one to outrank it anyway. Pages beyond the window are not offered.

A page lists stories, not articles: the store reads ranked hits ahead and keeps each
story's best-ranked report (`group_by_story`), so offsets count stories and pages neither
repeat nor skip one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from classifiers import query_alternatives

# Relevance is divided by (1 + age / RECENCY_DAYS): a week-old article counts half as much.
RECENCY_DAYS = 7.0
MAX_TERMS = 12  # longer queries are cut: each term costs an index lookup
# How many of the newest matches are ranked (see the module docstring).
RANK_WINDOW = 500
# PostgreSQL reads matches in these rings of age (days), newest first (see _postgres_sql).
RINGS_DAYS = (3, 14, 60)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for: words (may be empty when a filter is given) and filters.

    `terms` is the words normalised as the index was built, once, when the query is made.
    """

    text: str = ""
    topic: str | None = None
    since: datetime | None = None
    language: str | None = None  # "ar", "en" or "fr"
    terms: tuple[tuple[str, ...], ...] = field(init=False)

    def __post_init__(self) -> None:
        """Normalise the words; every page of this search reuses them."""
        object.__setattr__(self, "terms", tuple(query_terms(self.text, self.language)))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article found: a story's best-ranked report, with the story's outlet count."""

    article_id: int
    title: str
    url: str
    source: str
    published: datetime
    story_id: int | None = None  # None: stored before stories (it stands alone)
    outlets: int = 1  # how many outlets reported its story


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits, and whether there is a next one."""

    hits: tuple[SearchHit, ...]
    more: bool


def query_terms(query_text: str, language: str | None = None) -> list[tuple[str, ...]]:
    """Per query word, the index keys any of which a document must contain (deduplicated)."""
    terms: list[tuple[str, ...]] = []
    for alternatives in query_alternatives(query_text, language):
        keys = tuple(dict.fromkeys(k for k in alternatives if k))
        if keys and keys not in terms:
            terms.append(keys)
    return terms[:MAX_TERMS]


def fts5_match(terms: Sequence[tuple[str, ...]]) -> str:
    """An FTS5 MATCH expression: every word, each as a quoted string or its alternatives."""

    def quoted(key: str) -> str:
        return '"' + key.replace('"', '""') + '"'

    parts = []
    for keys in terms:
        inner = " OR ".join(quoted(k) for k in keys)
        parts.append(f"({inner})" if len(keys) > 1 else inner)
    return " AND ".join(parts)


def tsquery(terms: Sequence[tuple[str, ...]]) -> str:
    """A to_tsquery text: quoted lexemes, OR within a word, AND between words."""

    def quoted(key: str) -> str:
        return "'" + key.replace("\\", "\\\\").replace("'", "''") + "'"

    return " & ".join("(" + " | ".join(quoted(k) for k in keys) + ")" for keys in terms)


_SQLITE_AGE = "(julianday(:now) - julianday(a.published))"
_POSTGRES_AGE = "(extract(epoch from (CAST(:now AS timestamp) - a.published))::float8 / 86400.0)"


class Searcher:
    """Runs searches on one engine, in the engine's dialect."""

    def __init__(self, engine: AsyncEngine) -> None:
        """Keep the engine."""
        self.engine = engine
        self.dialect = engine.dialect.name

    async def search(
        self, query: SearchQuery, *, now: datetime, offset: int = 0, limit: int = 5
    ) -> SearchPage:
        """The page of hits at offset: most relevant recent first, or newest first without words."""
        terms = query.terms
        if query.text.strip() and not terms:
            return SearchPage((), False)
        params: dict[str, Any] = {
            "now": _naive_utc(now),
            "limit": limit + 1,
            "offset": offset,
            "window": RANK_WINDOW,
        }
        filters = self._filters(query, params)
        if not terms:
            sql = self._recent_sql(filters)
        elif self.dialect == "sqlite":
            params["match"] = fts5_match(terms)
            if query.since is not None:
                params["min_id"] = 0  # looked up below
            sql = self._sqlite_sql(filters, params)
        else:
            params["tsq"] = tsquery(terms)
            sql = self._postgres_sql(filters, params)
        async with self.engine.connect() as conn:
            if "min_id" in params:
                # min(+id): without the +, SQLite walks the table in id order instead of
                # reading the published index.
                first = "SELECT coalesce(min(+id), 0) FROM articles WHERE published >= :since"
                params["min_id"] = (await conn.execute(text(first), params)).scalar_one()
            rows = (await conn.execute(text(sql), params)).all()
        hits = tuple(_hit(row) for row in rows[:limit])
        return SearchPage(hits, len(rows) > limit)

    def _filters(self, query: SearchQuery, params: dict[str, Any]) -> str:
        """SQL conditions on `a` (articles) for the query's filters; fills params."""
        conditions = []
        if query.since is not None:
            params["since"] = _naive_utc(query.since)
            conditions.append("a.published >= :since")
        if query.language:
            params["language"] = query.language
            conditions.append("a.language = :language")
        if query.topic:
            params["topic"] = query.topic
            conditions.append(
                "EXISTS (SELECT 1 FROM article_topics t "
                "WHERE t.article_id = a.id AND t.topic = :topic)"
            )
        return "".join(f" AND {c}" for c in conditions)

    @staticmethod
    def _select(rank: str) -> str:
        """The columns of a hit, ranked by `rank` (lower first)."""
        return (
            "SELECT a.id, a.title, a.url, a.published, coalesce(f.title, f.url, '') AS source, "
            f"{rank} AS rank FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id "
        )

    def _recent_sql(self, filters: str) -> str:
        """Filters only: newest first."""
        return (
            self._select("0")
            + f"WHERE 1 = 1{filters} ORDER BY a.published DESC, a.id DESC "
            + "LIMIT :limit OFFSET :offset"
        )

    def _sqlite_sql(self, filters: str, params: dict[str, Any]) -> str:
        """FTS5: bm25 (negative, lower is better) shrunk towards 0 with age."""
        # The inner query takes the newest RANK_WINDOW matches by rowid, which FTS5 walks
        # in order without sorting; only those are scored and sorted.
        rank = f"s.score / (1.0 + max({_SQLITE_AGE}, 0) / {RECENCY_DAYS})"
        matches = (
            "SELECT rowid AS id, bm25(article_search) AS score FROM article_search "
            "WHERE article_search MATCH :match ORDER BY rowid DESC LIMIT :window"
        )
        if filters:
            # Every article published since :since has an id at least the smallest such id,
            # so that bound is exact, and FTS5 skips older rows without reading them.
            since = " AND rowid >= :min_id" if "min_id" in params else ""
            matches = (
                "SELECT s.id, s.score FROM ("
                "SELECT rowid AS id, bm25(article_search) AS score FROM article_search "
                f"WHERE article_search MATCH :match{since} ORDER BY rowid DESC) s "
                f"JOIN articles a ON a.id = s.id WHERE 1 = 1{filters} LIMIT :window"
            )
        return (
            self._select(rank)
            + f"JOIN ({matches}) s ON s.id = a.id "
            + "ORDER BY rank, a.id DESC LIMIT :limit OFFSET :offset"
        )

    def _postgres_sql(self, filters: str, params: dict[str, Any]) -> str:
        """PostgreSQL: the newest matches ring by ring, ranked by ts_rank over the age factor."""
        # A GIN index yields matches in no useful order, and reading every match of a common
        # word costs a heap visit each. So matches are read in rings of publication time,
        # newest first, each ring narrowed by the published index (a BitmapAnd with GIN);
        # the LIMIT over the UNION ALL stops before older rings are read at all.
        now = params["now"]
        bounds = [now - timedelta(days=days) for days in RINGS_DAYS]
        arms = []
        for i in range(len(bounds) + 1):
            ring = []
            if i < len(bounds):
                params[f"b{i}"] = bounds[i]
                ring.append(f"a.published >= :b{i}")
            if i > 0:
                ring.append(f"a.published < :b{i - 1}")
            where = " AND ".join(["a.search_vector @@ to_tsquery('simple', :tsq)", *ring])
            arms.append(
                f"(SELECT a.id FROM articles a WHERE {where}{filters} "
                "ORDER BY a.published DESC, a.id DESC)"
            )
        rank = (
            "-ts_rank(a.search_vector, to_tsquery('simple', :tsq)) "
            f"/ (1.0 + greatest({_POSTGRES_AGE}, 0) / {RECENCY_DAYS})"
        )
        return (
            self._select(rank)
            + f"JOIN ({' UNION ALL '.join(arms)} LIMIT :window) m ON m.id = a.id "
            + "ORDER BY rank, a.id DESC LIMIT :limit OFFSET :offset"
        )


def group_by_story(
    hits: Sequence[SearchHit], stories: dict[int, tuple[int, int]]
) -> list[SearchHit]:
    """One hit per story, its best-ranked one, in rank order; `stories` maps an article id
    to its (story id, outlets); an article without a story stands alone."""
    best: dict[int, SearchHit] = {}
    for hit in hits:
        story = stories.get(hit.article_id)
        key = story[0] if story else hit.article_id  # a story's id is one of its articles'
        if key not in best:
            best[key] = replace(hit, story_id=story[0], outlets=story[1]) if story else hit
    return list(best.values())


def _naive_utc(moment: datetime) -> datetime:
    """A UTC datetime as the columns store it (naive UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _hit(row: Any) -> SearchHit:
    """A hit from a result row (datetimes read back as aware UTC)."""
    published = row.published
    if isinstance(published, str):  # SQLite through text(): an ISO string
        published = datetime.fromisoformat(published)
    return SearchHit(row.id, row.title, row.url, row.source, published.replace(tzinfo=UTC))
