"""Records from rows, and the SQL several parts of the store share."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.feeds.netpolicy import mask_credentials
from bot.models import Alert, Article, CatchUp, ChatSettings, Feed, FeedHealth, TopicMatch
from bot.storage import schema as t


def feed_record(row: Row[Any]) -> Feed:
    """A Feed record from a feeds row."""
    return Feed(
        id=row.id,
        url=row.url,
        title=row.title,
        etag=row.etag,
        last_modified=row.last_modified,
        active=row.active,
        error_streak=row.error_streak,
        last_error=row.last_error,
        poll_interval=row.poll_interval,
        max_interval=row.max_interval,
        first_poll_alerts=row.first_poll_alerts,
        polled_once=row.polled_once,
        full_text=row.full_text,
        next_check_at=row.next_check_at,
    )


def health_record(row: Row[Any]) -> FeedHealth:
    """A FeedHealth record from a feeds row with a recent_articles count."""
    return FeedHealth(
        feed=feed_record(row),
        created_at=row.created_at,
        last_success_at=row.last_success_at,
        failing_since=row.failing_since,
        flagged_at=row.flagged_at,
        paused_reason=row.paused_reason,
        fetch_count=row.fetch_count,
        not_modified_count=row.not_modified_count,
        recent_articles=int(row.recent_articles or 0),
    )


def article_record(row: Row[Any], topics: tuple[TopicMatch, ...]) -> Article:
    """An Article from an articles row and its topics."""
    return Article(
        id=row.id,
        feed_id=row.feed_id,
        url=row.url,
        title=row.title,
        text=row.text,
        published=row.published,
        language=row.language,
        topics=topics,
    )


def alert_columns() -> tuple[Any, ...]:
    """What alert_record reads: the delivery, its chat's settings, the article, its feed."""
    d, c = t.deliveries.c, t.chats.c
    return (
        d.id.label("delivery_id"),
        d.chat_id,
        d.thread_id,
        c.language.label("chat_language"),
        c.timezone.label("chat_timezone"),
        c.show_why,
        c.quiet,
        t.articles,
        t.feeds.c.title.label("feed_title"),
        t.feeds.c.url.label("feed_url"),
    )


def alert_record(row: Any, topics: tuple[TopicMatch, ...]) -> Alert:
    """An Alert from a pending_alerts row."""
    source = row.feed_title or mask_credentials(row.feed_url)  # subscribers see it
    article = replace(article_record(row, topics), feed_title=source)
    return Alert(
        delivery_id=row.delivery_id,
        chat_id=row.chat_id,
        article=article,
        thread_id=row.thread_id or None,
        language=row.chat_language,
        timezone=row.chat_timezone,
        show_why=row.show_why,
        quiet=row.quiet,
    )


def chat_settings_record(row: Any) -> ChatSettings:
    """ChatSettings from a chats row."""
    return ChatSettings(
        chat_id=row.id,
        kind=row.kind,
        language=row.language,
        language_fixed=row.language_fixed,
        timezone=row.timezone,
        digest=row.digest,
        digest_at=row.digest_at,
        last_digest_at=row.last_digest_at,
        muted_until=row.muted_until,
        show_why=row.show_why,
        active=row.active,
        quiet=row.quiet,
        breaking_outlets=row.breaking_outlets,
        breaking_minutes=row.breaking_minutes,
    )


def catch_up_record(row: Any) -> CatchUp:
    """A CatchUp from a catch-up's audit row (its counts are the entry's JSON)."""
    counts = json.loads(row.after)
    return CatchUp(row.id, row.at, counts["feed"], counts["name"], counts["new"], counts["alerted"])


def topic_values(article_id: int, match: TopicMatch) -> dict[str, Any]:
    """An article_topics row: the topic with its score and evidence."""
    return {
        "article_id": article_id,
        "topic": match.topic,
        "score": match.score,
        "evidence": json.dumps(match.evidence, ensure_ascii=False),
    }


async def topics_of(
    conn: AsyncConnection, article_ids: set[int]
) -> dict[int, tuple[TopicMatch, ...]]:
    """The stored topics of several articles, strongest first."""
    if not article_ids:
        return {}
    query = (
        select(t.article_topics)
        .where(t.article_topics.c.article_id.in_(article_ids))
        .order_by(t.article_topics.c.score.desc(), t.article_topics.c.topic)
    )
    found: dict[int, list[TopicMatch]] = {}
    for row in (await conn.execute(query)).all():
        match = TopicMatch(row.topic, row.score, tuple(json.loads(row.evidence)))
        found.setdefault(row.article_id, []).append(match)
    return {key: tuple(value) for key, value in found.items()}


async def subscribers(conn: AsyncConnection, topics: Iterable[str]) -> Sequence[Any]:
    """(chat_id, thread_id, topic) of active chats' subscriptions to these topics."""
    s = t.subscriptions.c
    query = (
        select(s.chat_id, s.thread_id, s.topic)
        .join(t.chats, t.chats.c.id == s.chat_id)
        .where(t.chats.c.active, s.topic.in_(list(topics)))
    )
    return (await conn.execute(query)).all()


def delivery_rows(
    alerting: Sequence[tuple[int, set[str]]], subs: Sequence[Any], now: datetime
) -> list[dict[str, Any]]:
    """One outbox row per (article, destination) subscribed to one of the article's topics."""
    rows: dict[tuple[int, int, int], dict[str, Any]] = {}
    for article_id, topics in alerting:
        for sub in subs:
            key = (article_id, sub.chat_id, sub.thread_id)
            if sub.topic in topics and key not in rows:
                rows[key] = {
                    "article_id": article_id,
                    "chat_id": sub.chat_id,
                    "thread_id": sub.thread_id,
                    "state": "pending",
                    "created_at": now,
                }
    return list(rows.values())
