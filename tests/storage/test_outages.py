"""The store survives the database dropping its connections (a PostgreSQL restart)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import text

from bot.storage import Store
from tests.conftest import POSTGRES_DSN

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


async def kill_connections_of(store: Store) -> int:
    """Terminate the store's server connections, as a database restart does."""
    async with store.engine.connect() as conn:
        name = (await conn.execute(text("SELECT current_setting('application_name')"))).scalar()
    admin = await asyncpg.connect(POSTGRES_DSN)
    try:
        killed = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            name,
        )
    finally:
        await admin.close()
    return len(killed)


async def test_pooled_connections_killed_by_a_restart_are_replaced(
    postgres_store: Store,
) -> None:
    await postgres_store.add_feed("https://a.example/rss", now=NOW)
    assert await kill_connections_of(postgres_store) >= 1
    # The next calls get fresh connections instead of failing on dead ones.
    assert [f.url for f in await postgres_store.list_feeds()] == ["https://a.example/rss"]
    await postgres_store.add_feed("https://b.example/rss", now=NOW)
    assert (await postgres_store.stats()).feeds == 2


async def test_a_cycle_during_a_database_outage_loses_nothing(tmp_path: Path) -> None:
    import io

    from bot.app import Marsad, RunOptions
    from bot.feeds.fetch import FetchLimits
    from bot.jobs import poll_job
    from config.settings import Settings
    from tests.helpers.feedserver import FeedServer
    from tests.helpers.rss import Item, rss

    item = Item("1", "خبر عن افتتاح معرض الكتاب الدولي", "نص.", "https://n.example/1", NOW)
    async with FeedServer() as server:
        server.static("/feed.xml", rss([item]))
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feed]]\nurl = "{server.url("/feed.xml")}"\n', encoding="utf-8")
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
            feeds_file=feeds,
            poll_interval=60,
        )
        marsad = Marsad(
            settings,
            options=RunOptions(
                console="jsonl", parser_workers=1, limits=FetchLimits(total_timeout=5.0)
            ),
            clock=lambda: NOW,
            stream=io.StringIO(),
        )
        try:
            await marsad.start()
            database = tmp_path / "m.db"
            await marsad.store.engine.dispose()
            database.rename(tmp_path / "away.db")  # the database vanishes mid-run
            (tmp_path / "m.db").mkdir()  # and its path cannot even be opened
            await poll_job(marsad)  # the job logs the failed cycle instead of dying
            assert server.hits["/feed.xml"] == 0
            (tmp_path / "m.db").rmdir()
            (tmp_path / "away.db").rename(database)  # back again
            await marsad.store.engine.dispose()
            await poll_job(marsad)
            assert marsad.poller.last_report is not None
            assert marsad.poller.last_report.new_articles == 1  # nothing was lost
        finally:
            await marsad.close()
