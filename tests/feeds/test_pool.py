"""ParserPool: parsing in worker processes, surviving a worker crash, not blocking the loop."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from bot.classify import Rules, prepare_entries
from bot.feeds.parse import ParserPool, parse_feed
from bot.logsafe import LogSetup
from classifiers import load_topics_toml, topic_to_dict
from tests.feeds.conftest import NOW
from tests.feeds.crashparse import parse_or_crash, worker_logging
from tests.feeds.samples import arabic_items, atom, rss

URL = "https://news.example/feed.xml"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def pool() -> AsyncIterator[ParserPool]:
    """Two workers whose target crashes on bodies starting with CRASH."""
    parser = ParserPool(2, target=parse_or_crash)
    yield parser
    parser.close()


async def test_pool_gives_the_same_result_as_inline(pool: ParserPool) -> None:
    body = rss(arabic_items(count=20), encoding="windows-1256")
    headers = {"Content-Type": "text/xml; charset=windows-1256"}
    assert await pool.parse(body, headers, URL, now=NOW) == parse_feed(body, headers, URL, now=NOW)


async def test_worker_crash_costs_only_that_feed(pool: ParserPool) -> None:
    good = rss(arabic_items())
    bodies = [good] * 6 + [b"CRASH"] + [good] * 6
    results = await asyncio.gather(*(pool.parse(b, {}, URL, now=NOW) for b in bodies))
    assert results[6].error == "the parser process crashed on this feed"
    assert all(r.error is None and len(r.entries) == 3 for i, r in enumerate(results) if i != 6)
    after = await pool.parse(good, {}, URL, now=NOW)  # the pool was rebuilt and still works
    assert after.error is None


async def test_parsing_and_other_work_run_in_worker_processes() -> None:
    # Off the event loop by construction: the work runs in another process, so the loop
    # (and the bot's command handling) is never blocked by it.
    pool = ParserPool(1)
    try:
        parsed = await pool.parse(atom(arabic_items(count=5)), {}, URL, now=NOW)
        worker_pid = await pool.run(os.getpid)
    finally:
        pool.close()
    assert len(parsed.entries) == 5
    assert worker_pid != os.getpid()


async def test_a_feed_is_parsed_and_classified_in_one_worker_call(pool: ParserPool) -> None:
    topics = load_topics_toml((ROOT / "config" / "topics.toml").read_text(encoding="utf-8"))
    rules = Rules.of([topic_to_dict(t) for t in topics])
    body = rss(arabic_items(count=4))
    parsed = await pool.parse(body, {}, URL, now=NOW, rules=rules)
    assert [a.entry for a in parsed.articles] == list(parsed.entries)
    assert list(parsed.articles) == prepare_entries(rules, parsed.entries)
    assert await pool.parse(body, {}, URL, now=NOW) == replace(parsed, articles=())


async def test_warm_up_starts_every_worker_before_any_work() -> None:
    before = _worker_processes()
    pool = ParserPool(2)
    try:
        pids = await pool.warm_up()
        started = _worker_processes() - before
    finally:
        pool.close()
    assert len(started) == 2  # both spawned, though one may have run both warm-up calls
    assert set(pids) <= started


def _worker_processes() -> set[int]:
    """Pids of the processes the fork server (a child of this process) forked."""
    return {w.pid for child in psutil.Process().children() for w in child.children()}


async def test_workers_leave_ctrl_c_to_the_parent_and_log_masked_json() -> None:
    setup = LogSetup("INFO", "json", ("123456:SECRET-token",))
    pool = ParserPool(1, log_setup=setup)
    try:
        ignores_sigint, lines = await pool.run(worker_logging, "token 123456:SECRET-token here")
    finally:
        pool.close()
    assert ignores_sigint
    assert [json.loads(line)["message"] for line in lines] == ["token *** here"]
