"""The store's admin methods, identical on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.models import Destination, PollSuccess, TopicFlags, TopicMatch, TopicRecord
from bot.storage import Store
from tests.storage.test_store import NOW, article

PAUSE_AFTER = timedelta(days=3)


async def fail(store: Store, feed_id: int, at: timedelta) -> None:
    """Record one failed fetch of a feed at NOW + at."""
    feed = await store.get_feed(feed_id)
    assert feed is not None
    now = NOW + at
    await store.record_failure(
        feed, now=now, next_check_at=now, error="HTTP 500", pause_after=PAUSE_AFTER
    )


async def test_admins_are_added_once_and_removed(store: Store) -> None:
    assert await store.add_admin(5, added_by=1, now=NOW)
    assert not await store.add_admin(5, added_by=2, now=NOW)
    assert await store.admin_ids() == {5}
    assert await store.remove_admin(5)
    assert not await store.remove_admin(5)
    assert await store.admin_ids() == set()


async def test_feed_health_counts_recent_articles_and_fetches(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW - timedelta(days=30))
    await store.add_articles(
        feed, [article(1), article(2, published=NOW - timedelta(days=9))], now=NOW
    )
    await store.record_poll(
        feed,
        PollSuccess(now=NOW, next_check_at=NOW, not_modified=True, etag=None, last_modified=None),
    )
    await fail(store, feed.id, timedelta(minutes=5))
    [health] = await store.feed_health(since=NOW - timedelta(days=7))
    assert (health.recent_articles, health.fetch_count, health.not_modified_count) == (1, 2, 1)
    assert health.last_success_at == NOW and health.failing_since == NOW + timedelta(minutes=5)
    assert health.feed.error_streak == 1 and health.feed.last_error == "HTTP 500"
    assert await store.feed_by_url(feed.url) == health.feed


async def test_failing_feeds_are_flagged_once_per_failing_spell(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    await fail(store, feed.id, timedelta(0))
    day = NOW + timedelta(days=1)
    assert await store.unflagged_failing_feeds(failing_before=NOW - timedelta(hours=1)) == []
    [due] = await store.unflagged_failing_feeds(failing_before=day - timedelta(days=1))
    await store.flag_feeds([due.feed.id], now=day)
    assert await store.unflagged_failing_feeds(failing_before=day) == []
    # It recovers, then fails again for days: a new spell is reported again.
    current = await store.get_feed(feed.id)
    assert current is not None
    await store.record_poll(
        current,
        PollSuccess(now=day, next_check_at=day, not_modified=True, etag=None, last_modified=None),
    )
    await fail(store, feed.id, timedelta(days=2))
    assert await store.unflagged_failing_feeds(failing_before=day) == []
    [again] = await store.unflagged_failing_feeds(failing_before=NOW + timedelta(days=3))
    assert again.feed.id == feed.id


async def test_topics_saved_from_chat_and_built_ins_never_deleted(store: Store) -> None:
    await store.seed_topics([{"id": "terrorism", "terms": {"ar": {"إرهاب": 3.0}}}], now=NOW)
    assert not await store.delete_topic("terrorism")
    await store.save_topic({"id": "terrorism", "terms": {}}, enabled=False, now=NOW)
    assert await store.topic_row("terrorism") == TopicRecord(
        {"id": "terrorism", "terms": {}}, builtin=True, enabled=False
    )
    await store.save_topic({"id": "nuclear"}, enabled=False, now=NOW)
    await store.upsert_chat(9, kind="private", now=NOW)
    await store.subscribe(9, ["nuclear", "terrorism"], now=NOW)
    assert await store.topic_ids() == {
        "nuclear": TopicFlags(builtin=False, enabled=False),
        "terrorism": TopicFlags(builtin=True, enabled=False),
    }
    assert await store.delete_topic("nuclear")
    assert await store.topic_row("nuclear") is None
    assert await store.subscriptions(9) == ["terrorism"]


async def test_replacing_topics_alerts_only_new_destinations(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    await store.upsert_chat(-100, kind="channel", title="Desk", now=NOW)
    await store.subscribe(-100, ["books"], now=NOW)
    await store.upsert_chat(9, kind="private", now=NOW)
    await store.subscribe(9, ["books", "terrorism"], now=NOW)
    batch = await store.add_articles(feed, [article(1, topics=())], now=NOW)
    await store.thread_stories(now=NOW)  # its story decided: the new topic alerts its story
    [stored] = await store.articles_fetched_since(NOW)
    assert stored.topics == ()
    match = TopicMatch("books", 1.0, ("كتاب (title)",))
    alerts = await store.replace_article_topics(
        batch.article_ids[0], [match], now=NOW, alert_topics=["books"]
    )
    assert alerts == 2
    again = await store.replace_article_topics(
        batch.article_ids[0], [match], now=NOW, alert_topics=["books"]
    )
    assert again == 0  # one alert per story and destination
    found = await store.article_by_url(stored.url)
    assert found is not None and found.topics == (match,)
    assert await store.destinations() == [Destination(-100, "channel", "Desk", True, ("books",))]
    counts = await store.stats(since=NOW)
    assert (counts.articles_since, counts.alerts_pending) == (1, 2)


async def test_articles_since_a_time_come_newest_first_in_pages(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    await store.add_articles(feed, [article(n) for n in range(5)], now=NOW - timedelta(days=2))
    batch = await store.add_articles(feed, [article(n) for n in range(5, 12)], now=NOW)

    assert await store.count_articles_fetched_since(NOW) == 7
    first = await store.articles_fetched_since(NOW, limit=4)
    rest = await store.articles_fetched_since(NOW, limit=4, below_id=first[-1].id)

    newest_first = sorted(batch.article_ids, reverse=True)
    assert [a.id for a in first] == newest_first[:4]
    assert [a.id for a in rest] == newest_first[4:]
