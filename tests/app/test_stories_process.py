"""`python -m bot` threads stories: two outlets' reports of one event are one story, kept
across a restart; another event the same day is its own story. In one process too: the
cycle threads what it stores, and a threading failure costs the cycle nothing."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text, update

from bot.app import Marsad, RunOptions
from bot.exitcodes import ExitCode
from bot.feeds.fetch import FetchLimits
from bot.storage import Store, create_engine
from bot.storage import schema as t
from config.settings import Settings
from tests.app.marsad_process import clean_environment, run_marsad
from tests.classifiers.test_stories import ABHA_1, DAMMAM_1, DAMMAM_2, FILLER
from tests.conftest import POSTGRES_DSN
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss

pytestmark = pytest.mark.slow

NOW = datetime.now(UTC).replace(microsecond=0)


def item(key: str, title: str, text: str, outlet: str, hours_ago: float) -> Item:
    """An RSS item linked on its outlet's site."""
    published = NOW - timedelta(hours=hours_ago)
    return Item(key, title, text, f"https://{outlet}.example/{key}", published)


# Filler first, so the threader's word counts tell names from common words.
OKAZ = [
    *(item(f"f{i}", title, text, "okaz", 6 - i / 10) for i, (title, text) in enumerate(FILLER)),
    item("okaz-dammam", *DAMMAM_1, "okaz", 2),
]
ALWATAN = [
    item("alwatan-abha", *ABHA_1, "alwatan", 1.8),
    item("alwatan-dammam", *DAMMAM_2, "alwatan", 1.5),
]
LATER = item(
    "alyaum-dammam",
    "ارتفاع حصيلة تفجير مسجد العنود في الدمام",
    DAMMAM_1[1],
    "alyaum",
    0.5,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A new, empty database for one `python -m bot`."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}"
        return
    name = f"marsad_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def stories_by_link(url: str) -> dict[str, int]:
    """Each stored article's link and its story id, as the database holds them."""
    store = Store(create_engine(url))
    try:
        found = {}
        for article in await store.articles_fetched_since(NOW - timedelta(days=1)):
            story = await store.story_of(article.id)
            assert story is not None, article.url
            found[article.url.rsplit("/", 1)[1]] = story.id
        return found
    finally:
        await store.close()


async def make_feeds_due(url: str) -> None:
    """Time passes: every feed is due again."""
    store = Store(create_engine(url))
    try:
        async with store.transaction() as conn:
            await conn.execute(update(t.feeds).values(next_check_at=None))
    finally:
        await store.close()


async def test_two_outlets_reports_of_one_event_are_one_story_across_a_restart(
    tmp_path: Path, database_url: str
) -> None:
    async with FeedServer() as feeds:
        feeds.static("/okaz.xml", rss(OKAZ, title="عكاظ"))
        feeds.static("/alwatan.xml", rss(ALWATAN, title="الوطن"))
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(
            f'[[feed]]\nurl = "{feeds.url("/okaz.xml")}"\n\n'
            f'[[feed]]\nurl = "{feeds.url("/alwatan.xml")}"\n',
            encoding="utf-8",
        )
        env = clean_environment(DATABASE_URL=database_url, FEEDS_FILE=str(feeds_file))
        code, _, err = await run_marsad(env, "run", "--once")
        assert code == ExitCode.OK, err
        first = await stories_by_link(database_url)
        assert first["okaz-dammam"] == first["alwatan-dammam"]  # one story, two outlets
        assert first["alwatan-abha"] not in (first["okaz-dammam"], first["f0"])
        assert len(set(first.values())) == len(FILLER) + 2
        # A restart mid-story: a third outlet's report joins the story the first run opened.
        feeds.static("/alwatan.xml", rss([*ALWATAN, LATER], title="الوطن"))
        await make_feeds_due(database_url)
        code, _, err = await run_marsad(env, "run", "--once")
    assert code == ExitCode.OK, err
    assert "stories: " in err and " reports of the last 48 h restored" in err
    second = await stories_by_link(database_url)
    assert second == {**first, "alyaum-dammam": first["okaz-dammam"]}


async def test_a_cycle_threads_what_it_stores_and_survives_a_failed_step(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FeedServer() as feeds:
        feeds.static("/okaz.xml", rss(OKAZ, title="عكاظ"))
        feeds.static("/alwatan.xml", rss(ALWATAN, title="الوطن"))
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(
            f'[[feed]]\nurl = "{feeds.url("/okaz.xml")}"\n\n'
            f'[[feed]]\nurl = "{feeds.url("/alwatan.xml")}"\n',
            encoding="utf-8",
        )
        url = f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}"
        settings = Settings(database_url=url, feeds_file=feeds_file, telegram_bot_token=None)
        limits = FetchLimits(connect_timeout=2.0, total_timeout=5.0)
        options = RunOptions(console="jsonl", parser_workers=1, limits=limits)
        marsad = Marsad(settings, options=options, stream=io.StringIO())
        try:
            await marsad.start()
            async with marsad.store.transaction() as conn:
                await conn.execute(
                    text(
                        "CREATE TRIGGER refuse BEFORE INSERT ON story_members "
                        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                    )
                )
            with caplog.at_level(logging.WARNING, logger="bot.storyloop"):
                failed = await marsad.cycle()
            assert (failed.new_articles, failed.stories, failed.failed) == (len(OKAZ) + 2, 0, 0)
            assert "the articles wait for the next cycle" in caplog.text
            async with marsad.store.transaction() as conn:
                await conn.execute(text("DROP TRIGGER refuse"))
                await conn.execute(update(t.feeds).values(next_check_at=None))
            feeds.static("/alwatan.xml", rss([*ALWATAN, LATER], title="الوطن"))
            report = await marsad.cycle()
            assert (report.new_articles, report.stories) == (1, len(OKAZ) + 3)  # the queue too
        finally:
            await marsad.close()
    found = await stories_by_link(url)
    assert found["okaz-dammam"] == found["alwatan-dammam"] == found["alyaum-dammam"]
    assert found["alwatan-abha"] != found["okaz-dammam"]
