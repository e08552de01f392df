"""Stored articles: search, lookups, re-tagging and completion from their pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Article, DeliveredArticle, NewArticle, TopicMatch
from bot.storage import schema as t
from bot.storage.base import StoreBase
from bot.storage.rows import article_record, delivery_rows, subscribers, topic_values, topics_of
from bot.storage.search import Searcher, SearchHit, SearchPage, SearchQuery, group_by_story
from bot.storage.storyalerts import Decided, enqueue_story_alerts

MAX_CHUNK = 1000  # search hits read at once while grouping them by story (bounded IN lists)


class ArticleTables(StoreBase):
    """Articles and their topics, after the poll stored them."""

    async def search(
        self, query: SearchQuery, *, now: datetime, offset: int = 0, limit: int = 5
    ) -> SearchPage:
        """Full-text search over stored articles, one hit per story (see bot.storage.search)."""
        searcher = Searcher(self.engine)
        wanted = offset + limit + 1  # stories up to the page's end, and one to tell "more"
        hits: list[SearchHit] = []
        stories: dict[int, tuple[int, int]] = {}
        # A story's reports often rank together: read ahead.
        chunk = min(max(wanted * 3, 30), MAX_CHUNK)
        while True:
            page = await searcher.search(query, now=now, offset=len(hits), limit=chunk)
            hits += page.hits
            stories |= await self._stories_of(hit.article_id for hit in page.hits)
            grouped = group_by_story(hits, stories)
            if len(grouped) >= wanted or not page.more:
                break
            chunk = min(chunk * 2, MAX_CHUNK)
        return SearchPage(tuple(grouped[offset : offset + limit]), len(grouped) > offset + limit)

    async def _stories_of(self, article_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """Each article's (story id, the story's outlets), for those in a story."""
        ids = sorted(set(article_ids))
        if not ids:
            return {}
        m, s = t.story_members.c, t.stories.c
        query = (
            select(m.article_id, m.story_id, s.outlets)
            .join(t.stories, s.id == m.story_id)
            .where(m.article_id.in_(ids))
        )
        async with self.engine.connect() as conn:
            return {
                row.article_id: (row.story_id, row.outlets) for row in await conn.execute(query)
            }

    async def article_by_url(self, url: str) -> Article | None:
        """A stored article by its canonical URL, with its topics."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.articles).where(t.articles.c.url == url))).first()
            if row is None:
                return None
            topics = await topics_of(conn, {row.id})
        return article_record(row, topics.get(row.id, ()))

    async def count_articles_fetched_since(self, since: datetime) -> int:
        """How many articles were stored since a time."""
        query = select(func.count()).where(t.articles.c.fetched_at >= since)
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def articles_fetched_since(
        self, since: datetime, *, limit: int = 5000, below_id: int | None = None
    ) -> list[Article]:
        """Articles stored since a time, newest first, with their topics.

        `below_id` pages on: pass the last id of the previous page.
        """
        a = t.articles.c
        query = select(t.articles).where(a.fetched_at >= since)
        if below_id is not None:
            query = query.where(a.id < below_id)
        query = query.order_by(a.id.desc()).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
            topics = await topics_of(conn, {row.id for row in rows})
        return [article_record(row, topics.get(row.id, ())) for row in rows]

    async def delivered_articles(self, chat_id: int, message_id: int) -> list[DeliveredArticle]:
        """The articles a message sent to a chat carried: one, or a digest's."""
        d, a = t.deliveries.c, t.articles.c
        query = (
            select(a.id, a.title)
            .join(t.deliveries, d.article_id == a.id)
            .where(d.chat_id == chat_id, d.message_id == message_id)
            .order_by(d.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
            topics = await topics_of(conn, {row.id for row in rows})
        return [DeliveredArticle(row.id, row.title, topics.get(row.id, ())) for row in rows]

    async def replace_article_topics(
        self,
        article_id: int,
        matches: Sequence[TopicMatch],
        *,
        now: datetime,
        alert_topics: Iterable[str] = (),
    ) -> int:
        """Store an article's new topics; alert subscribers of alert_topics; return alerts."""
        async with self.transaction() as conn:
            return await self._replace_topics(conn, article_id, matches, now, alert_topics)

    async def complete_article(
        self, article_id: int, article: NewArticle, *, now: datetime, alert: bool
    ) -> int:
        """Store the text an article's page gave, its search text and topics; return alerts.

        An article that alerted also alerts subscribers of the topics its page added (chats
        that had it already are skipped). An article deleted meanwhile is left alone.
        """
        a, at = t.articles.c, t.article_topics.c
        values = {
            "text": article.entry.text,
            "norm_text": article.norm_text,  # the search index follows (trigger or generated)
            "language": article.language,
        }
        async with self.transaction() as conn:
            result = await conn.execute(update(t.articles).where(a.id == article_id).values(values))
            if result.rowcount == 0:
                return 0
            query = select(at.topic).where(at.article_id == article_id)
            old = set((await conn.execute(query)).scalars())
            gained = sorted({m.topic for m in article.topics} - old) if alert else []
            return await self._replace_topics(conn, article_id, article.topics, now, gained)

    async def _replace_topics(
        self,
        conn: AsyncConnection,
        article_id: int,
        matches: Sequence[TopicMatch],
        now: datetime,
        alert_topics: Iterable[str],
    ) -> int:
        """replace_article_topics inside a transaction."""
        rows = [topic_values(article_id, match) for match in matches]
        wanted = list(alert_topics)
        q_id, m = t.story_queue.c.article_id, t.story_members.c
        await conn.execute(
            delete(t.article_topics).where(t.article_topics.c.article_id == article_id)
        )
        if rows:
            await conn.execute(t.article_topics.insert(), rows)
        if not wanted:
            return 0
        if await conn.scalar(select(t.story_queue.c.article_id).where(q_id == article_id)):
            return 0  # its story decision, due soon, reads these topics and alerts then
        story_id = await conn.scalar(select(m.story_id).where(m.article_id == article_id))
        if story_id is not None:  # one alert per story: only chats without one get it
            return await enqueue_story_alerts(
                conn, [Decided(article_id, story_id, True)], now, grow=False
            )
        subs = await subscribers(conn, wanted)
        deliveries = delivery_rows([(article_id, set(wanted))], subs, now)
        if not deliveries:
            return 0
        # The unique key skips chats that already had this article; RETURNING counts
        # what was new on both databases (executemany rowcounts differ between drivers).
        query = self._insert(t.deliveries).on_conflict_do_nothing().returning(t.deliveries.c.id)
        return len((await conn.execute(query, deliveries)).all())
