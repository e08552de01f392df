"""The store's behaviour, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.models import Entry, NewArticle, PollSuccess, TopicMatch
from bot.storage import Store
from tests.helpers.headlines import distinct_title

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def entry(n: int, **kwargs: object) -> Entry:
    """The entry of article(n, ...)."""
    return article(n, **kwargs).entry  # type: ignore[arg-type]


def article(
    n: int,
    *,
    topics: tuple[str, ...] = ("terrorism",),
    title: str | None = None,
    url: str | None = None,
    key: str | None = None,
    published: datetime = NOW,
) -> NewArticle:
    """A classified entry with distinct keys unless told otherwise."""
    title = title or distinct_title(n)
    entry = Entry(
        key=key or f"guid-{n}",
        url=url or f"https://news.example/a/{n}",
        title=title,
        text=f"نص الخبر {n}",
        published=published,
        title_hash=hashlib.sha1(title.encode()).hexdigest(),
        language="ar",
    )
    matches = tuple(TopicMatch(t, 2.5, (f"إرهاب (title) {n}",)) for t in topics)
    return NewArticle(entry, f"عنوان خبر {n}", "ar", matches)


async def test_add_feed_is_idempotent_and_due_at_once(store: Store) -> None:
    first = await store.add_feed("https://a.example/rss", now=NOW)
    again = await store.add_feed("https://a.example/rss", title="ignored", now=NOW)
    assert first.id == again.id
    assert [f.id for f in await store.due_feeds(NOW)] == [first.id]
    assert await store.due_feeds(NOW - timedelta(seconds=1)) == []


async def test_success_sets_validators_and_next_check(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    later = NOW + timedelta(minutes=5)
    await store.record_poll(
        feed,
        PollSuccess(
            now=NOW,
            next_check_at=later,
            not_modified=False,
            etag='W/"abc"',
            last_modified="Sun, 29 Nov 2026 07:00:00 GMT",
            title="Feed title",
        ),
    )
    stored = await store.get_feed(feed.id)
    assert stored is not None
    assert (stored.etag, stored.title, stored.polled_once) == ('W/"abc"', "Feed title", True)
    assert stored.next_check_at == later
    assert await store.due_feeds(NOW) == []


async def test_permanent_redirect_moves_the_feed(store: Store) -> None:
    feed = await store.add_feed("http://old.example/rss", now=NOW)
    await store.record_poll(
        feed,
        PollSuccess(
            now=NOW,
            next_check_at=NOW,
            not_modified=False,
            etag=None,
            last_modified=None,
            new_url="https://new.example/rss",
        ),
    )
    moved = await store.get_feed(feed.id)
    assert moved is not None and moved.url == "https://new.example/rss"


async def test_failing_feed_backs_off_then_is_paused(store: Store) -> None:
    feed = await store.add_feed("https://down.example/rss", now=NOW)
    after = await store.record_failure(
        feed,
        now=NOW,
        next_check_at=NOW + timedelta(hours=1),
        error="HTTP 500",
        pause_after=timedelta(days=3),
    )
    assert (after.active, after.error_streak, after.last_error) == (True, 1, "HTTP 500")
    later = NOW + timedelta(days=3, minutes=1)
    paused = await store.record_failure(
        after, now=later, next_check_at=later, error="HTTP 500", pause_after=timedelta(days=3)
    )
    assert paused.active is False
    assert await store.due_feeds(later + timedelta(days=1)) == []
    assert await store.set_feed_active(feed.id, True, now=later)
    assert [f.id for f in await store.due_feeds(later)] == [feed.id]


async def test_articles_are_stored_once_under_every_key(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    other = await store.add_feed("https://b.example/rss", now=NOW)
    batch = await store.add_articles(feed, [article(1), article(2)], now=NOW)
    assert len(batch.article_ids) == 2
    # A known guid is known within its feed only; URL and title are known across feeds.
    known_guid = entry(3, key="guid-1")
    wire = entry(4, url="https://news.example/a/2")
    retitled = entry(5, title=entry(1).title, published=NOW + timedelta(hours=3))
    candidates = [known_guid, wire, retitled, entry(6)]
    assert [item.key for item in await store.filter_new(feed, candidates)] == ["guid-6"]
    fresh = await store.filter_new(other, candidates)
    assert [item.key for item in fresh] == ["guid-1", "guid-6"]
    late = entry(7, title=entry(1).title, published=NOW + timedelta(days=3))
    assert await store.filter_new(other, [late]) == [late]
    again = await store.add_articles(feed, [article(1), article(2)], now=NOW)
    assert (again.article_ids, again.duplicates) == ((), 2)


async def test_the_same_story_written_in_one_group_commit_is_stored_once(store: Store) -> None:
    feeds = [await store.add_feed(f"https://{n}.example/rss", now=NOW) for n in "abc"]
    story = "وكالة: انفجار قرب مقر الحكومة في العاصمة"
    # The first call writes alone; the two queued behind it are written in one batch.
    first, wire, reprint = await asyncio.gather(
        store.add_articles(feeds[0], [article(1)], now=NOW),
        store.add_articles(feeds[1], [article(2, title=story), article(3)], now=NOW),
        store.add_articles(feeds[2], [article(4, title=story), article(2, key="x")], now=NOW),
    )
    assert (len(first.article_ids), len(wire.article_ids)) == (1, 2)
    assert (reprint.article_ids, reprint.duplicates) == ((), 2)  # same title; same URL
    listed = [entry(5, title=story), entry(6, title=story)]
    assert await store.filter_new(feeds[0], listed) == []
    novel = "نص آخر طويل بما يكفي ليكون عنوانا"
    fresh = [entry(7, title=novel), entry(8, title=novel)]  # a repeat within one list
    assert await store.filter_new(feeds[0], fresh) == fresh[:1]


async def test_a_feed_listing_eleven_thousand_items_is_stored_and_then_known(
    store: Store,
) -> None:
    # Looking up 11,000 entries' three keys at once would pass both databases' parameter cap.
    feed = await store.add_feed("https://huge.example/rss", now=NOW)
    items = [article(n) for n in range(11_000)]
    first = await store.add_articles(feed, items, now=NOW, alert=False)
    assert len(first.article_ids) == 11_000
    again = await store.add_articles(feed, items, now=NOW, alert=False)
    assert (again.article_ids, again.duplicates) == ((), 11_000)
    assert await store.filter_new(feed, [item.entry for item in items]) == []


async def test_deliveries_follow_subscriptions_and_alert_setting(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    await store.upsert_chat(100, kind="private", now=NOW)
    await store.upsert_chat(-200, kind="supergroup", now=NOW)
    assert await store.subscribe(100, ["terrorism", "cybersecurity"], now=NOW) == [
        "terrorism",
        "cybersecurity",
    ]
    assert await store.subscribe(100, ["terrorism"], now=NOW) == []
    await store.subscribe(-200, ["cybersecurity"], now=NOW, thread_id=7)
    items = [article(1), article(2, topics=("cybersecurity", "terrorism")), article(3, topics=())]
    batch = await store.add_articles(feed, items, now=NOW)
    assert batch.deliveries == 2  # tagged articles that may alert, once their story is decided
    quiet = await store.add_articles(feed, [article(4)], now=NOW, alert=False)
    assert (len(quiet.article_ids), quiet.deliveries) == (1, 0)
    assert (await store.stats()).alerts_pending == 0  # alerts follow the story decision
    await store.thread_stories(now=NOW)
    # chat 100 gets articles 1 and 2 once each; the forum thread gets article 2.
    stats = await store.stats()
    assert (stats.articles, stats.alerts_pending, stats.subscriptions) == (4, 3, 3)


async def test_first_poll_alerts_only_on_the_newest(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    await store.upsert_chat(1, kind="private", now=NOW)
    await store.subscribe(1, ["terrorism"], now=NOW)
    items = [article(n, published=NOW - timedelta(hours=n)) for n in range(1, 6)]
    batch = await store.add_articles(feed, items, now=NOW, alert=2)
    assert (len(batch.article_ids), batch.deliveries) == (5, 2)
    await store.thread_stories(now=NOW)
    assert (await store.stats()).alerts_pending == 2


async def test_evidence_round_trips(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    await store.add_articles(feed, [article(1)], now=NOW)
    stored = await store.article_by_url(article(1).entry.url)
    assert stored is not None
    topics = stored.topics
    assert topics == (TopicMatch("terrorism", 2.5, ("إرهاب (title) 1",)),)


async def test_search_index_follows_articles(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    await store.add_articles(feed, [article(1), article(2)], now=NOW)
    if store.dialect == "sqlite":
        query = "SELECT count(*) FROM article_search WHERE article_search MATCH 'خبر'"
    else:
        query = (
            "SELECT count(*) FROM articles WHERE "
            "to_tsvector('simple'::regconfig, norm_text) @@ to_tsquery('simple', 'خبر')"
        )
    async with store.engine.connect() as conn:
        assert (await conn.execute(text(query))).scalar_one() == 2


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await store.add_feed("https://a.example/rss", now=datetime(2026, 1, 1))


async def test_topics_seeded_once_and_audit_log(store: Store) -> None:
    defs = [{"id": "terrorism", "names": {"en": "Terrorism"}}]
    assert await store.seed_topics(defs, now=NOW) == 1
    assert await store.seed_topics(defs, now=NOW) == 0
    assert await store.topic_definitions() == defs
    await store.audit(
        "addfeed",
        now=NOW,
        actor_id=42,
        target="https://a.example/rss",
        after={"url": "https://a.example/rss"},
    )
    [entry] = await store.audit_entries()
    assert (entry.actor_id, entry.action, entry.at) == (42, "addfeed", NOW)


async def test_migrate_twice_is_a_no_op(store: Store) -> None:
    await store.add_feed("https://a.example/rss", now=NOW)
    await store.migrate()
    assert [feed.url for feed in await store.list_feeds()] == ["https://a.example/rss"]


async def test_outbox_lists_pending_alerts_until_sent(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", title="Al-Omk", now=NOW)
    await store.upsert_chat(100, kind="private", language="en", now=NOW)
    await store.subscribe(100, ["terrorism"], now=NOW, thread_id=0)
    await store.add_articles(feed, [article(1), article(2)], now=NOW)
    await store.thread_stories(now=NOW)
    pending = await store.pending_alerts()
    assert [a.article.url for a in pending] == [article(1).entry.url, article(2).entry.url]
    first = pending[0]
    assert (first.chat_id, first.thread_id, first.language) == (100, None, "en")
    assert first.article.feed_title == "Al-Omk"
    assert first.article.topics[0].topic == "terrorism"
    await store.mark_sent(first.delivery_id, now=NOW, message_id=9)
    await store.note_attempt(pending[1].delivery_id, error="HTTP 502")
    assert [a.delivery_id for a in await store.pending_alerts()] == [pending[1].delivery_id]
    await store.mark_failed(pending[1].delivery_id, reason="chat not found")
    stats = await store.stats()
    assert (stats.alerts_pending, stats.alerts_sent, stats.alerts_failed) == (0, 1, 1)


async def test_a_batch_that_repeats_itself_keeps_one_copy(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", now=NOW)
    twin = article(9, url=article(1).entry.url)
    batch = await store.add_articles(feed, [article(1), twin, article(2)], now=NOW)
    assert (len(batch.article_ids), batch.duplicates) == (2, 1)


async def test_concurrent_writers_are_committed_together_with_their_own_results(
    store: Store,
) -> None:
    import asyncio

    feeds = [await store.add_feed(f"https://f{n}.example/rss", now=NOW) for n in range(5)]
    await store.upsert_chat(7, kind="private", now=NOW)
    await store.subscribe(7, ["terrorism"], now=NOW)
    batches = [[article(10 * n + i) for i in range(3)] for n in range(5)]
    batches[4].append(article(99, url=article(0).entry.url))  # the same story as feed 0's
    results = await asyncio.gather(
        *(
            store.add_articles(feed, items, now=NOW)
            for feed, items in zip(feeds, batches, strict=True)
        )
    )
    assert [len(r.article_ids) for r in results] == [3, 3, 3, 3, 3]
    assert [r.duplicates for r in results] == [0, 0, 0, 0, 1]
    assert [r.deliveries for r in results] == [3, 3, 3, 3, 3]
    assert len({i for r in results for i in r.article_ids}) == 15
    await store.thread_stories(now=NOW)
    stats = await store.stats()
    assert (stats.articles, stats.alerts_pending) == (15, 15)


async def test_writers_beyond_one_batch_wait_for_the_next(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from bot.storage import polls

    monkeypatch.setattr(polls, "MAX_BATCH", 2)
    feeds = [await store.add_feed(f"https://f{n}.example/rss", now=NOW) for n in range(5)]
    results = await asyncio.gather(
        *(store.add_articles(feed, [article(n)], now=NOW) for n, feed in enumerate(feeds))
    )
    assert [len(r.article_ids) for r in results] == [1, 1, 1, 1, 1]
    assert (await store.stats()).articles == 5
