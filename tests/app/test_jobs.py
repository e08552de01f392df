"""The schedule table: each job named once, and Marsad schedules exactly the table's jobs."""

from __future__ import annotations

import inspect
import io
from pathlib import Path

from bot import jobs
from bot.admintext import REPORT_TEXTS
from bot.app import Marsad, RunOptions
from config.settings import Settings
from handlers.texts import LANGUAGES
from tests.helpers.botapi import BotApiServer
from tests.storage.test_store import NOW, article

ADMIN = 7001


def console_marsad(tmp_path: Path, poll_interval: int = 60) -> Marsad:
    """A console Marsad on a temporary SQLite file (not started: scheduling needs no I/O)."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}",
        poll_interval=poll_interval,
        telegram_bot_token=None,
    )
    options = RunOptions(console="jsonl", parser_workers=1)
    return Marsad(settings, options=options, stream=io.StringIO())


def test_the_table_names_each_job_once_and_holds_every_job() -> None:
    names = [job.name for job in jobs.SCHEDULE]
    assert len(names) == len(set(names)), names
    assert set(names) == {"poll", "deliver", "failing_feeds", "digest", "story_edits"}
    defined = {
        value
        for name, value in vars(jobs).items()
        if name.endswith("_job") and inspect.iscoroutinefunction(value)
    }
    assert {job.run for job in jobs.SCHEDULE} == defined  # no job left out of the table
    assert [job.name for job in jobs.SCHEDULE if job.at_start] == ["poll"]


async def test_marsad_schedules_exactly_the_tables_jobs(tmp_path: Path) -> None:
    marsad = console_marsad(tmp_path, poll_interval=20)
    try:
        scheduled = {job.id: job for job in marsad._schedule().get_jobs()}
        assert set(scheduled) == {job.name for job in jobs.SCHEDULE}
        for job in jobs.SCHEDULE:
            entry = scheduled[job.name]
            assert entry.func == marsad._run_job  # stoppable mid-run by close()
            (body,) = entry.args
            assert body.func is job.run and body.args == (marsad,)
            seconds = entry.trigger.interval.total_seconds()
            assert seconds == job.interval(marsad.settings)
        assert scheduled["poll"].trigger.interval.total_seconds() == 20  # under the 30 s cap
    finally:
        await marsad.close()


async def test_marsad_schedules_nothing_but_the_table_it_is_given(tmp_path: Path) -> None:
    marsad = console_marsad(tmp_path)
    try:
        only_digest = [job for job in jobs.SCHEDULE if job.name == "digest"]
        assert [job.id for job in marsad._schedule(only_digest).get_jobs()] == ["digest"]
    finally:
        await marsad.close()


def test_admin_reports_exist_in_every_ui_language() -> None:
    assert set(REPORT_TEXTS) == set(LANGUAGES)
    keys = {language: set(texts) for language, texts in REPORT_TEXTS.items()}
    assert all(found == keys["ar"] for found in keys.values()), keys


async def test_a_catch_up_found_before_telegram_answers_is_told_once_it_does(
    tmp_path: Path, botapi: BotApiServer
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}",
        telegram_bot_token=botapi.token,
        telegram_api_url=botapi.base_url,
        admin_ids=(ADMIN,),
    )
    marsad = Marsad(settings, options=RunOptions(parser_workers=1), clock=lambda: NOW)
    try:
        await marsad.start()
        feed = await marsad.store.add_feed("https://a.example/rss", title="Wire", now=NOW)
        items = [article(n) for n in range(5)]
        await marsad.store.add_articles(feed, items, now=NOW, cap=3)

        assert await jobs.report_catch_ups(marsad) == 0  # not connected: kept, not lost
        assert len(await marsad.store.untold_catch_ups()) == 1
        await marsad.start_telegram()
        assert await jobs.report_catch_ups(marsad) == 1
        [notice] = botapi.sent_to(ADMIN)
        assert "Wire" in notice.plain_text
        assert await marsad.store.untold_catch_ups() == []
    finally:
        await marsad.close()
