"""A feed that suddenly lists hundreds of new items is a catch-up: stored, alerted only in part.

Only the newest FEED_NEW_ITEMS_CAP alert; admins are told once, from an audit entry written
with the articles (so a crash cannot lose the notice) by the failing-feeds style report.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.storage import Store, schema
from bot.storage.search import SearchQuery
from tests.helpers.botapi import BotApiServer
from tests.helpers.rss import Item, rss
from tests.storage.test_store import NOW, article
from tests.telegram.conftest import QUIET, START, running_newsroom

ADMIN = 7001  # in ADMIN_IDS
EDITOR = 7002  # in the admins table
SUBSCRIBER = 7101


def burst(count: int) -> list[Item]:
    """`count` distinct terrorism items, item 0 the newest, each with a searchable code word."""
    return [
        Item(
            f"b{n}",
            f"هجوم إرهابي جديد يتبناه تنظيم داعش في المنطقة رقم {n}",
            f"أعلن تنظيم داعش الإرهابي مسؤوليته عن الهجوم رقم {n}، رمز التحقق zq{n}x.",
            f"https://wire.example/burst/{n}",
            START + timedelta(minutes=5) - timedelta(seconds=n),
        )
        for n in range(count)
    ]


async def test_a_burst_of_400_new_items_alerts_the_newest_50_and_tells_admins_once(
    tmp_path: Path, botapi: BotApiServer
) -> None:
    async with running_newsroom(tmp_path, botapi, admin_ids=(ADMIN,)) as room:
        store = room.marsad.store
        await store.add_admin(EDITOR, added_by=ADMIN, now=START)
        await store.upsert_chat(SUBSCRIBER, kind="private", now=START)
        await store.subscribe(SUBSCRIBER, ["terrorism"], now=START)
        items = burst(400)

        room.feeds.static("/feed.xml", rss([*items, QUIET]))
        room.clock.now += timedelta(minutes=10)
        report = await room.marsad.cycle()

        assert (report.new_articles, report.deliveries, report.catch_ups) == (400, 50, 1)
        async with store.engine.connect() as conn:
            d, a = schema.deliveries.c, schema.articles.c
            alerted = await conn.scalars(
                select(a.url).join(schema.deliveries).where(d.chat_id == SUBSCRIBER)
            )
            assert set(alerted) == {item.link for item in items[:50]}  # the newest 50
            assert await conn.scalar(select(func.count()).select_from(schema.articles)) == 401
        oldest = await store.search(SearchQuery("zq399x"), now=room.clock.now)
        assert [hit.url for hit in oldest.hits] == [items[399].link]
        for admin in (ADMIN, EDITOR):
            [notice] = botapi.sent_to(admin)
            assert notice.plain_text.startswith("مصادر نشرت دفعة كبيرة من الأخبار الجديدة")
            assert "Local" in notice.plain_text
            assert "400" in notice.plain_text and "50" in notice.plain_text

        await room.publish(*items)  # one more cycle, nothing new: no second notice
        assert [len(botapi.sent_to(admin)) for admin in (ADMIN, EDITOR)] == [1, 1]
        async with store.engine.connect() as conn:
            deliveries = select(func.count()).select_from(schema.deliveries)
            assert await conn.scalar(deliveries.where(d.chat_id == SUBSCRIBER)) == 50


async def test_a_catch_up_is_audited_with_its_articles_and_told_once(store: Store) -> None:
    feed = await store.add_feed("https://a.example/rss", title="Wire", now=NOW)
    await store.upsert_chat(SUBSCRIBER, kind="private", now=NOW)
    await store.subscribe(SUBSCRIBER, ["terrorism"], now=NOW)
    items = [article(n, published=NOW - timedelta(minutes=n)) for n in range(5)]

    batch = await store.add_articles(feed, items, now=NOW, cap=3)
    few = await store.add_articles(feed, [article(9)], now=NOW, cap=3)

    assert (len(batch.article_ids), batch.deliveries, batch.catch_up) == (5, 3, True)
    assert batch.alerted == set(batch.article_ids[:3])  # the newest three
    assert (few.deliveries, few.catch_up) == (1, False)
    [told] = await store.untold_catch_ups()
    assert (told.feed_id, told.name, told.new, told.alerted) == (feed.id, "Wire", 5, 3)
    await store.mark_catch_ups_told(told.id, now=NOW)
    assert await store.untold_catch_ups() == []
    await store.add_articles(feed, [article(n) for n in range(10, 14)], now=NOW, cap=3)
    assert [c.new for c in await store.untold_catch_ups()] == [4]
