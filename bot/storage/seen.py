"""What the database has seen: a new entry's keys checked against stored articles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Entry
from bot.storage import schema as t

# Two items with the same normalised title within this window are one story (GUID churn,
# republished items, the same wire story in two feeds). Short titles are too generic.
TITLE_DUPLICATE_WINDOW = timedelta(hours=48)
TITLE_DUPLICATE_MIN_CHARS = 20
# Entries whose keys one query looks up (three parameters each; the databases allow ~32,000).
SEEN_CHUNK = 2000


async def _seen_rows(conn: AsyncConnection, pairs: Sequence[tuple[int, Entry]]) -> list[Any]:
    """Stored articles sharing a key with these (feed, entry) pairs, labelled by key kind."""
    by_feed: dict[int, list[str]] = {}
    for feed_id, entry in pairs:
        by_feed.setdefault(feed_id, []).append(entry.key)
    entries = [entry for _, entry in pairs]
    a = t.articles.c
    oldest = min(entry.published for entry in entries) - TITLE_DUPLICATE_WINDOW
    # The three kinds of key, told apart by a label column.
    query = union_all(
        select(
            literal("key").label("kind"), a.feed_id, a.entry_key.label("value"), a.published
        ).where(or_(*(and_(a.feed_id == f, a.entry_key.in_(keys)) for f, keys in by_feed.items()))),
        select(literal("url"), a.feed_id, a.url, a.published).where(
            a.url.in_([e.url for e in entries])
        ),
        select(literal("title"), a.feed_id, a.title_hash, a.published).where(
            a.title_hash.in_([e.title_hash for e in entries]), a.published >= oldest
        ),
    )
    return list((await conn.execute(query)).all())


class Seen:
    """The keys the database (and entries admitted so far) hold, for telling what is new."""

    def __init__(self, rows: Iterable[Any]) -> None:
        """Sort loaded rows by the kind of key they carry."""
        self.keys: set[tuple[int, str]] = set()
        self.urls: set[str] = set()
        self.titles: dict[str, list[datetime]] = {}
        for row in rows:
            if row.kind == "key":
                self.keys.add((row.feed_id, row.value))
            elif row.kind == "url":
                self.urls.add(row.value)
            else:
                self.titles.setdefault(row.value, []).append(row.published)

    @classmethod
    async def load(
        cls, conn: AsyncConnection, groups: Sequence[tuple[int, Sequence[Entry]]]
    ) -> Seen:
        """What the database holds under any key of these feeds' entries.

        One query per SEEN_CHUNK entries: each entry binds three parameters, and both
        databases cap a statement's parameters (a hostile feed can list 100,000 items).
        """
        pairs = [(feed_id, entry) for feed_id, group in groups for entry in group]
        rows: list[Any] = []
        for start in range(0, len(pairs), SEEN_CHUNK):
            rows += await _seen_rows(conn, pairs[start : start + SEEN_CHUNK])
        return cls(rows)

    def admit(self, feed_id: int, entry: Entry) -> bool:
        """Whether an entry is new; a new one is remembered, so a repeat in a batch is not."""
        if (feed_id, entry.key) in self.keys or entry.url in self.urls:
            return False
        if self._same_title(entry):
            return False
        self.keys.add((feed_id, entry.key))
        self.urls.add(entry.url)
        if len(entry.title) >= TITLE_DUPLICATE_MIN_CHARS and entry.title_hash:
            self.titles.setdefault(entry.title_hash, []).append(entry.published)
        return True

    def _same_title(self, entry: Entry) -> bool:
        """Whether a long-enough title was seen within the duplicate window of this entry."""
        if len(entry.title) < TITLE_DUPLICATE_MIN_CHARS or not entry.title_hash:
            return False
        published = entry.published
        return any(
            abs(other - published) <= TITLE_DUPLICATE_WINDOW
            for other in self.titles.get(entry.title_hash, ())
        )
