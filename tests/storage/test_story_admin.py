"""What /split and /search ask of the store, identical on SQLite and PostgreSQL: a detached
report is alerted to the chats subscribed to its topics, once each; search lists stories."""

# ruff: noqa: F811 - the database fixture comes from test_stories

from __future__ import annotations

from bot.storage.search import SearchHit, SearchQuery, group_by_story
from tests.storage.test_stories import (  # noqa: F401 - fixture
    A1,
    A2,
    D1,
    D2,
    NOW,
    Opener,
    database,
    filler,
    stored,
)

TERROR_CHAT, SECURITY_CHAT, SPORTS_CHAT = 101, 102, 103


async def test_a_detached_report_is_alerted_to_its_topics_chats_once(database: Opener) -> None:
    store = database()
    await store.migrate()
    await stored(store, *filler())
    d1, d2 = await stored(store, D1, D2)  # stored without alerts; D2 joined D1's story
    for chat_id, topic in (
        (TERROR_CHAT, "terrorism"),
        (SECURITY_CHAT, "security"),
        (SPORTS_CHAT, "sports"),
    ):
        await store.upsert_chat(chat_id, kind="private", now=NOW)
        await store.subscribe(chat_id, [topic], now=NOW)
    assert await store.story_ids([d1, d2]) == {d1: d1, d2: d1}
    await store.detach_article(d2, now=NOW)

    assert await store.alert_article(d2, now=NOW) == 2  # D2: terrorism and security

    pending = await store.pending_alerts()
    assert sorted((a.chat_id, a.article.id) for a in pending) == [
        (TERROR_CHAT, d2),
        (SECURITY_CHAT, d2),
    ]
    assert await store.alert_article(d2, now=NOW) == 0  # already queued: nothing twice
    assert await store.alert_article(99_999, now=NOW) == 0


async def test_search_lists_one_line_per_story_and_pages_count_stories(
    database: Opener,
) -> None:
    store = database()
    await store.migrate()
    await stored(store, *filler())
    d1, a1, d2, a2 = await stored(store, D1, A1, D2, A2)  # Dammam: D1+D2, Abha: A1+A2
    assert await store.story_ids([d1, a1, d2, a2]) == {d1: d1, d2: d1, a1: a1, a2: a1}
    query = SearchQuery("تفجير مسجد")

    page = await store.search(query, now=NOW, limit=5)

    assert sorted(hit.story_id or 0 for hit in page.hits) == sorted([d1, a1])
    assert [hit.outlets for hit in page.hits] == [2, 2] and not page.more
    first = await store.search(query, now=NOW, limit=1)
    second = await store.search(query, now=NOW, offset=1, limit=1)
    assert first.more and not second.more
    assert {first.hits[0].story_id, second.hits[0].story_id} == {d1, a1}
    assert (await store.search(query, now=NOW, offset=2, limit=1)).hits == ()


def test_grouping_keeps_each_storys_best_ranked_hit_in_rank_order() -> None:
    hits = [SearchHit(n, f"t{n}", f"https://x.example/{n}", "s", NOW) for n in (5, 3, 9, 4, 7)]
    stories = {5: (3, 2), 3: (3, 2), 4: (4, 3), 7: (4, 3)}  # 9: stored before stories

    grouped = group_by_story(hits, stories)

    assert [(h.article_id, h.story_id, h.outlets) for h in grouped] == [
        (5, 3, 2),
        (9, None, 1),
        (4, 4, 3),
    ]
