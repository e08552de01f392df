"""Stories persisted by the store, identical on SQLite and PostgreSQL.

The poll's write queues each stored article; thread_stories decides their stories in
order. A fresh store on the same database (a restart, another instance) restores what was
decided and goes on from there, deciding nothing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.feeds.parse import ParserPool
from bot.models import Entry, Feed, NewArticle, TopicMatch
from bot.storage import Store, create_engine, threads
from bot.storage import schema as t
from bot.storage.migrate import alembic_config
from bot.storage.threads import StoryOptions
from classifiers import normalise_for_search
from tests.classifiers.test_stories import ABHA_1, ABHA_2, DAMMAM_1, DAMMAM_2, FILLER
from tests.conftest import POSTGRES_DSN, POSTGRES_URL

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
EVENTS = NOW - timedelta(hours=3)

Opener = Callable[..., Store]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens stores on one fresh database (as restarts or several instances would)."""
    opened: list[Store] = []
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = None
    if request.param == "postgres":
        admin = await asyncpg.connect(POSTGRES_DSN)
        await admin.execute(f'CREATE SCHEMA "{schema}"')

    def open_store(**options: object) -> Store:
        if request.param == "sqlite":
            engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}")
        else:
            settings = {"search_path": schema, "application_name": schema}
            engine = create_engine(POSTGRES_URL, connect_args={"server_settings": settings})
        store = Store(engine, stories=StoryOptions(**options))  # type: ignore[arg-type]
        opened.append(store)
        return store

    try:
        yield open_store
    finally:
        for store in opened:
            await store.close()
        if admin is not None:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await admin.close()


def report(
    key: str, title: str, body: str, published: datetime, topics: tuple[str, ...] = ()
) -> NewArticle:
    """A classified article, linked on its outlet's site."""
    outlet = key.rstrip("0123456789") or "wire"
    entry = Entry(
        key=key,
        url=f"https://www.{outlet}.example/{key}",
        title=title,
        text=body,
        published=published,
        title_hash=hashlib.sha1(title.encode()).hexdigest(),
        language="ar",
    )
    matches = tuple(TopicMatch(topic, 3.0, ("تفجير (title)",)) for topic in topics)
    return NewArticle(entry, normalise_for_search(f"{title}\n{body}"), "ar", matches)


def filler() -> list[NewArticle]:
    """Unrelated news first, so that document frequencies tell names from common words."""
    return [
        report(f"filler{i}", title, body, EVENTS - timedelta(minutes=30 - i))
        for i, (title, body) in enumerate(FILLER)
    ]


D1 = report("okaz1", *DAMMAM_1, EVENTS, ("terrorism",))
A1 = report("sabq1", *ABHA_1, EVENTS + timedelta(minutes=10), ("terrorism",))
D2 = report("alwatan1", *DAMMAM_2, EVENTS + timedelta(minutes=20), ("terrorism", "security"))
A2 = report("alriyadh1", *ABHA_2, EVENTS + timedelta(minutes=30), ("security",))


async def feed_of(store: Store, name: str) -> Feed:
    """An outlet's feed (added once)."""
    return await store.add_feed(f"https://{name}.example/rss", title=name, now=NOW)


async def stored(store: Store, *items: NewArticle, now: datetime = NOW) -> list[int]:
    """Store each item from its own outlet's feed, then thread them; their article ids."""
    ids = []
    for item in items:
        feed = await feed_of(store, item.entry.key.rstrip("0123456789"))
        batch = await store.add_articles(feed, [item], now=now, alert=False)
        ids.extend(batch.article_ids)
    await store.thread_stories(now=now)
    return ids


async def story_id(store: Store, item: NewArticle) -> int:
    """The story id of a stored item."""
    article = await store.article_by_url(item.entry.url)
    assert article is not None
    story = await store.story_of(article.id)
    assert story is not None
    return story.id


async def member_rows(store: Store) -> list[tuple[int, int, int, str]]:
    """Every member row as stored: article, story, seq, evidence."""
    m = t.story_members.c
    query = select(m.article_id, m.story_id, m.seq, m.evidence).order_by(m.seq)
    async with store.engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(query)]  # type: ignore[misc]


async def test_each_stored_article_gets_its_story_with_the_evidence(database: Opener) -> None:
    store = database()
    await store.migrate()
    await stored(store, *filler())
    d1, a1, d2, a2 = await stored(store, D1, A1, D2, A2)
    assert [await story_id(store, item) for item in (D1, A1, D2, A2)] == [d1, a1, d1, a1]
    members = await store.story_members(d1)
    assert [(m.article_id, m.outlet, m.url) for m in members] == [
        (d1, "okaz.example", D1.entry.url),
        (d2, "alwatan.example", D2.entry.url),
    ]
    assert members[0].evidence.reason == "new"
    joined = members[1].evidence
    assert (joined.reason, joined.matched) == ("joined", d1)
    assert joined.similarity > 0 and joined.names > 0 and "عنود" in joined.shared
    assert [m.feed_title for m in members] == ["okaz", "alwatan"]
    assert {m.topic for m in members[1].topics} == {"terrorism", "security"}
    # Abha's bombing the same day is its own story: refused, and why.
    abha = await store.story_members(a1)
    assert abha[0].evidence.reason.startswith("new") and abha[0].evidence.conflicts >= 1
    assert await store.story_topics(d1) == {"terrorism", "security"}
    assert await store.story_topics(a1) == {"terrorism", "security"}
    story = await store.story(d1)
    assert story is not None
    assert (story.members, story.outlets, story.opened_at) == (2, 2, EVENTS)
    assert story.updated_at == D2.entry.published
    assert await store.story_ids([d1, a2, 10_000]) == {d1: d1, a2: a1}
    opened = [m.article_id for m in await store.window_members(EVENTS)]
    assert opened == [d1, a1, d2, a2]  # the filler's stories opened earlier


async def test_stored_articles_wait_in_the_queue_then_are_threaded_in_publication_order(
    database: Opener,
) -> None:
    store = database()
    await store.migrate()
    feed = await feed_of(store, "wire")
    # Listed newest first, as feeds do; threaded oldest first.
    batch = await store.add_articles(feed, [D2, A1, D1, *filler()], now=NOW, alert=False)
    d2, a1, d1 = batch.article_ids[:3]
    assert await store.story_of(d1) is None  # the write only queued them
    progress = await store.thread_stories(now=NOW)
    assert (progress.decided, progress.rebuilt) == (len(FILLER) + 3, True)
    assert await store.story_ids([d1, a1, d2]) == {d1: d1, a1: a1, d2: d1}
    story = await store.story(d1)
    assert story is not None and (story.members, story.outlets) == (2, 2)  # the links' sites
    again = await store.thread_stories(now=NOW)
    assert (again.decided, again.rebuilt) == (0, False)


async def test_a_restart_mid_story_restores_it_and_decides_nothing_again(
    database: Opener,
) -> None:
    first = database()
    await first.migrate()
    await stored(first, *filler(), D1, A1)
    before = await member_rows(first)
    await first.close()
    restarted = database()
    loaded = await restarted.thread_stories(now=NOW)
    assert (loaded.rebuilt, loaded.restored, loaded.decided) == (True, len(before), 0)
    d2, a2 = await stored(restarted, D2, A2)
    d1, a1 = before[-2][0], before[-1][0]
    assert [await story_id(restarted, item) for item in (D2, A2)] == [d1, a1]
    after = await member_rows(restarted)
    assert after[: len(before)] == before  # nothing decided again
    assert [row[0] for row in after[len(before) :]] == [d2, a2]


@pytest.mark.parametrize("page", [threads.STEP_ARTICLES, 3], ids=["one page", "pages of 3"])
async def test_a_restart_decides_as_if_it_never_happened(
    database: Opener, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same stream with a restart before D2, and without: the same evidence, to the digit.
    # Small pages: the restart restores, and steps decide, a few articles at a time.
    monkeypatch.setattr(threads, "STEP_ARTICLES", page)
    straight = database()
    await straight.migrate()
    await stored(straight, *filler(), D1, A1, D2, A2)
    expected = [json.loads(row[3]) for row in await member_rows(straight)]
    await straight.engine.dispose()
    async with straight.engine.begin() as conn:
        await conn.execute(t.story_members.delete())
        await conn.execute(t.stories.delete())
        await conn.execute(t.articles.delete())
    first = database()
    await stored(first, *filler(), D1, A1)
    restarted = database()
    await stored(restarted, D2, A2)
    got = [json.loads(row[3]) for row in await member_rows(restarted)]
    # Article ids differ between the runs; the decisions do not.
    for row in (*expected, *got):
        row.pop("matched")
    assert got == expected


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_two_instances_alternating_writes_thread_one_set_of_stories(
    database: Opener,
) -> None:
    one, two = database(), database()
    await one.migrate()
    await stored(one, *filler(), D1)
    (a1,) = await stored(two, A1)  # two catches up with one's decisions first
    (d2,) = await stored(two, D2)
    d1 = await story_id(one, D1)
    assert await story_id(two, D2) == d1  # two saw the story one opened
    (a2,) = await stored(one, A2)
    assert await story_id(one, A2) == a1  # and one saw two's
    rows = await member_rows(one)
    assert [row[2] for row in rows] == list(range(1, len(rows) + 1))  # one order, no gap
    assert [row[0] for row in rows[-4:]] == [d1, a1, d2, a2]


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_two_instances_writing_at_once_take_turns(database: Opener) -> None:
    one, two = database(), database()
    await one.migrate()
    await stored(one, *filler(), D1, A1)
    await asyncio.gather(stored(one, D2), stored(two, A2))
    d1, a1 = await story_id(one, D1), await story_id(one, A1)
    assert (await story_id(two, D2), await story_id(two, A2)) == (d1, a1)
    seqs = [row[2] for row in await member_rows(one)]
    assert seqs == list(range(1, len(seqs) + 1))


async def test_an_article_published_before_the_window_is_its_own_story(
    database: Opener,
) -> None:
    store = database()
    await store.migrate()
    archive = report("okaz2", *DAMMAM_1, NOW - timedelta(days=3))
    (old,) = await stored(store, archive)
    members = await store.story_members(old)
    assert [(m.story_id, m.evidence.reason) for m in members] == [(old, "old")]
    # A date in the future is threaded at the time it was stored.
    ahead = report("sabq2", *ABHA_1, NOW + timedelta(days=400))
    (future,) = await stored(store, ahead)
    assert (await store.story_members(future))[0].at == NOW


async def test_migrating_from_0005_threads_the_last_two_days_articles_once(
    database: Opener,
) -> None:
    # The migration queues what was published in the 48 hours before it ran.
    now = datetime.now(UTC)
    hours = now - EVENTS
    recent = [_moved(item, hours) for item in (*filler(), D1, D2)]
    abha = _moved(report("okaz3", *ABHA_1, EVENTS), hours)
    old = _moved(report("sabq3", *ABHA_2, NOW - timedelta(days=5)), hours)
    store = database()
    async with store.engine.begin() as conn:
        await conn.run_sync(lambda sync: _upgrade_to(sync, "0005"))
        await conn.run_sync(_insert_rows, [*recent, abha, old])
    await store.migrate()
    loaded = await store.thread_stories(now=now)
    assert loaded.decided == len(FILLER) + 3
    d1 = await story_id(store, recent[-2])
    assert await story_id(store, recent[-1]) == d1
    assert await story_id(store, abha) != d1
    archived = await store.article_by_url(old.entry.url)
    assert archived is not None and await store.story_of(archived.id) is None
    before = await member_rows(store)
    again = database()
    assert (await again.thread_stories(now=now)).decided == 0  # threaded once only
    assert await member_rows(again) == before


def _moved(item: NewArticle, by: timedelta) -> NewArticle:
    """The item published `by` later."""
    entry = item.entry
    return NewArticle(
        replace(entry, published=entry.published + by), item.norm_text, "ar", item.topics
    )


async def test_detaching_an_article_gives_it_a_story_of_its_own(database: Opener) -> None:
    store = database()
    await store.migrate()
    await stored(store, *filler())
    d1, d2 = await stored(store, D1, D2)
    third = report("alyaum1", "تفجير مسجد العنود في الدمام: حصيلة جديدة", DAMMAM_2[1], NOW)
    (d3,) = await stored(store, third)
    assert await story_id(store, third) == d1
    detached = await store.detach_article(d2, now=NOW)
    assert detached is not None and (detached.id, detached.members) == (d2, 1)
    (member,) = await store.story_members(d2)
    assert (member.evidence.reason, member.evidence.matched, member.moved_at) == (
        "split",
        d1,
        NOW,
    )
    story = await store.story(d1)
    assert story is not None and story.members == 2
    # The story's first report detached: the others move to a story named after the next.
    alone = await store.detach_article(d1, now=NOW)
    assert alone is not None and (alone.id, alone.members) == (d1, 1)
    assert [m.article_id for m in await store.story_members(d3)] == [d3]
    assert await store.detach_article(d1, now=NOW) == alone  # already alone
    assert await store.detach_article(99_999, now=NOW) is None
    # The threader is rebuilt from the moved rows: later reports are threaded as usual.
    late = report("sabq4", "ارتفاع حصيلة تفجير مسجد العنود بالدمام", DAMMAM_1[1], NOW)
    (new,) = await stored(store, late, now=NOW + timedelta(minutes=5))
    assert await story_id(store, late) in {d1, d2, d3}
    seqs = [row[2] for row in await member_rows(store)]
    assert len(seqs) == len(set(seqs)) and new in {row[0] for row in await member_rows(store)}


async def test_a_story_is_marked_breaking_once(database: Opener) -> None:
    store = database()
    await store.migrate()
    (d1,) = await stored(store, D1)
    assert await store.mark_story_breaking(d1, at=NOW)
    assert not await store.mark_story_breaking(d1, at=NOW + timedelta(minutes=1))
    story = await store.story(d1)
    assert story is not None and story.breaking_at == NOW
    assert not await store.mark_story_breaking(12345, at=NOW)


async def test_a_failed_step_keeps_no_decision_in_the_threader(database: Opener) -> None:
    store = database()
    await store.migrate()
    await stored(store, *filler())
    async with store.engine.begin() as conn:
        await _refuse_members(conn)
    feed = await feed_of(store, "okaz")
    (d1,) = (await store.add_articles(feed, [D1], now=NOW, alert=False)).article_ids
    with pytest.raises(Exception, match="refused"):
        await store.thread_stories(now=NOW)  # decided, then the write failed
    assert await store.story_of(d1) is None
    on_table = " ON story_members" if store.dialect == "postgresql" else ""
    async with store.engine.begin() as conn:
        await conn.execute(text(f"DROP TRIGGER refuse_members{on_table}"))
    assert (await store.thread_stories(now=NOW)).rebuilt  # still queued; decided afresh
    (d2,) = await stored(store, D2)
    members = await store.story_members(d1)
    assert [(m.article_id, m.evidence.reason) for m in members] == [(d1, "new"), (d2, "joined")]


async def test_a_threader_in_a_worker_process_is_rebuilt_when_the_worker_dies(
    tmp_path: Path,
) -> None:
    pool = ParserPool(1)
    store = Store(
        create_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"),
        stories=StoryOptions(run=pool.run),
    )
    try:
        await store.migrate()
        await stored(store, *filler(), D1)
        worker = await pool.run(os.getpid)
        assert worker != os.getpid()
        os.kill(worker, signal.SIGKILL)
        await stored(store, D2)
        assert await pool.run(os.getpid) != worker
        d1 = await story_id(store, D1)
        assert await story_id(store, D2) == d1
    finally:
        await store.close()
        pool.close()


async def _refuse_members(conn: AsyncConnection) -> None:
    """A trigger that fails every new story member, so a step fails after deciding."""
    if conn.dialect.name == "postgresql":
        await conn.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger AS "
                "$$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER refuse_members BEFORE INSERT ON story_members "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )
    else:
        await conn.execute(
            text(
                "CREATE TRIGGER refuse_members BEFORE INSERT ON story_members "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )


async def test_the_migration_builds_the_story_tables_schema_py_declares(store: Store) -> None:
    async with store.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), t.metadata)
        )
    ours = [d for d in diff if "stor" in repr(d)]
    assert ours == []
    assert {"stories", "story_members"} <= set(t.metadata.tables)


def _upgrade_to(connection: Connection, revision: str) -> None:
    """Alembic upgrade to one revision on a synchronous connection."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _insert_rows(connection: Connection, items: list[NewArticle]) -> None:
    """Articles as revision 0005's code stored them, under one feed."""
    feed = connection.execute(
        t.feeds.insert().values(url="https://old.example/rss", created_at=NOW)
    ).inserted_primary_key[0]
    for item in items:
        entry = item.entry
        connection.execute(
            t.articles.insert().values(
                feed_id=feed,
                entry_key=entry.key,
                url=entry.url,
                title_hash=entry.title_hash,
                title=entry.title,
                text=entry.text,
                norm_text=item.norm_text,
                language="ar",
                published=entry.published,
                fetched_at=entry.published,
            )
        )
