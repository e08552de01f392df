"""A long cycle logs its progress every few seconds; a quick one logs none."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import Marsad, RunOptions
from bot.feeds.fetch import FetchLimits
from bot.pipeline import PollPolicy
from config.settings import Settings
from tests.app.test_cycle import NEUTRAL, TERROR, Clock
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import rss

LIMITS = FetchLimits(total_timeout=5.0)


class ProgressSeen(logging.Handler):
    """Wakes a waiting feed when the pipeline logs a progress line that names a count."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("cycle progress: ") and self.text in record.getMessage():
            self.seen.set()


@asynccontextmanager
async def watching(tmp_path: Path, urls: list[str], policy: PollPolicy) -> AsyncIterator[Marsad]:
    """A started console Marsad watching these feeds; closed on exit."""
    feeds = tmp_path / "feeds.toml"
    feeds.write_text("".join(f'[[feed]]\nurl = "{url}"\n' for url in urls), encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", feeds_file=feeds, poll_interval=60
    )
    options = RunOptions(console="jsonl", parser_workers=1, limits=LIMITS, policy=policy)
    marsad = Marsad(settings, options=options, clock=Clock(), stream=io.StringIO())
    try:
        await marsad.start()
        yield marsad
    finally:
        await marsad.close()


async def test_a_slow_cycle_logs_progress_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen = ProgressSeen("2/3 feeds polled")
    logging.getLogger("bot.pipeline").addHandler(seen)

    async def slow(request: web.Request) -> web.StreamResponse:
        await seen.seen.wait()  # answers once the cycle has said how far it got
        return web.Response(body=rss([NEUTRAL]), content_type="application/rss+xml")

    try:
        async with FeedServer() as server:
            server.static("/a.xml", rss([TERROR]))
            server.static("/b.xml", rss([NEUTRAL]))
            server.route("/slow.xml", slow)
            urls = [server.url(p) for p in ("/a.xml", "/b.xml", "/slow.xml")]
            async with watching(tmp_path, urls, PollPolicy(progress_every=0.01)) as marsad:
                with caplog.at_level(logging.INFO, logger="bot.pipeline"):
                    report = await marsad.cycle()
    finally:
        logging.getLogger("bot.pipeline").removeHandler(seen)
    assert (report.feeds, report.polled, report.failed) == (3, 3, 0)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cycle progress")]
    assert "cycle progress: 2/3 feeds polled, 2 new, 0 failed" in lines


async def test_a_quick_small_cycle_logs_no_progress_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FeedServer() as server:
        server.static("/a.xml", rss([TERROR, NEUTRAL]))
        async with watching(tmp_path, [server.url("/a.xml")], PollPolicy()) as marsad:
            with caplog.at_level(logging.DEBUG, logger="bot.pipeline"):
                report = await marsad.cycle()
    assert (report.feeds, report.new_articles) == (1, 2)
    assert [r for r in caplog.records if "progress" in r.getMessage()] == []
    assert any(r.getMessage().startswith("cycle: 1 feeds") for r in caplog.records)
