"""`python -m bot` as an operator runs it, in a subprocess, against loopback servers only."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)
ITEMS = [
    Item(
        "a", "خبر أول عن افتتاح مهرجان المسرح العربي", "نص الخبر الأول.", "https://n.example/1", NOW
    ),
    Item(
        "b",
        "خبر ثان عن نتائج الدوري المحلي لكرة القدم",
        "نص الخبر الثاني.",
        "https://n.example/2",
        NOW,
    ),
]


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


async def run_bot(
    tmp_path: Path, *args: str, feeds_file: Path | None = None
) -> tuple[int, str, str]:
    """Run `python -m bot ARGS` with a temporary database; return code, stdout, stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}",
        FEEDS_FILE=str(feeds_file) if feeds_file else "",
        POLL_INTERVAL="60",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def feeds_toml(tmp_path: Path, *urls: str) -> Path:
    """A TOML feed list."""
    path = tmp_path / "feeds.toml"
    path.write_text("".join(f'[[feed]]\nurl = "{url}"\n' for url in urls), encoding="utf-8")
    return path


async def test_run_once_stores_a_new_feed_quietly_and_stats_count_it(
    tmp_path: Path, server: FeedServer
) -> None:
    server.static("/feed.xml", rss(ITEMS))
    feeds = feeds_toml(tmp_path, server.url("/feed.xml"))
    code, out, err = await run_bot(
        tmp_path, "run", "--once", "--console", "jsonl", feeds_file=feeds
    )
    assert code == 0, err
    assert out == ""  # a new feed's first poll catches up without alerting
    assert "Traceback" not in err
    code, out, _ = await run_bot(tmp_path, "stats", "--json")
    stats = json.loads(out)
    assert code == 0
    assert (stats["feeds"], stats["articles"], stats["alerts_pending"], stats["alerts_sent"]) == (
        1,
        2,
        0,
        0,
    )


async def test_unreachable_feeds_get_one_log_line_each(tmp_path: Path) -> None:
    urls = ["http://127.0.0.1:9/a.xml", "http://127.0.0.1:9/b.xml", "ftp://127.0.0.1/c.xml"]
    code, _, err = await run_bot(tmp_path, "run", "--once", feeds_file=feeds_toml(tmp_path, *urls))
    assert code == 0
    assert "Traceback" not in err
    failures = [line for line in err.splitlines() if "failed:" in line]
    assert len(failures) == 2 and all("127.0.0.1:9" in line for line in failures)
    assert sum("only http(s)" in line for line in err.splitlines()) == 1


async def test_feeds_import_list_and_export_round_trip(tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="News"><outline text="الأخبار" xmlUrl="https://news.example/rss"/>'
        '<outline text="Bad" xmlUrl="file:///etc/passwd"/></outline></body></opml>',
        encoding="utf-8",
    )
    assert (await run_bot(tmp_path, "migrate"))[0] == 0
    code, out, err = await run_bot(tmp_path, "feeds", "import", str(opml))
    assert code == 0, err
    assert out.startswith("1 feeds added")
    code, out, _ = await run_bot(tmp_path, "feeds", "list")
    assert "https://news.example/rss" in out and "الأخبار" in out
    code, out, _ = await run_bot(tmp_path, "feeds", "export")
    assert 'xmlUrl="https://news.example/rss"' in out
    (tmp_path / "out.opml").write_text(out, encoding="utf-8")
    code, out, _ = await run_bot(tmp_path, "feeds", "import", str(tmp_path / "out.opml"))
    assert out.startswith("0 feeds added")


async def test_broken_feed_list_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<html>not opml", encoding="utf-8")
    code, _, err = await run_bot(tmp_path, "feeds", "import", str(bad))
    assert code == 1
    assert err.startswith("error: not a readable OPML file")


async def test_feed_options_are_set_per_feed(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        '[[feed]]\nurl = "https://news.example/rss"\ninterval = 900\n'
        '[[feed]]\nurl = "https://other.example/rss"\n',
        encoding="utf-8",
    )
    assert (await run_bot(tmp_path, "migrate"))[0] == 0
    code, _, err = await run_bot(tmp_path, "feeds", "import", str(feeds))
    assert code == 0, err
    code, out, _ = await run_bot(
        tmp_path,
        "feeds",
        "set",
        "2",
        "--full-text",
        "on",
        "--interval",
        "120",
        "--first-alerts",
        "3",
    )
    assert (code, out.strip()) == (0, "feed 2 updated")
    _, out, _ = await run_bot(tmp_path, "feeds", "list")
    first, second = out.splitlines()
    assert "every 900s" in first and "full-text" not in first
    assert "full-text every 120s" in second
    code, _, err = await run_bot(tmp_path, "feeds", "set", "99", "--full-text", "on")
    assert code == 1 and "there is no feed 99" in err
    code, _, err = await run_bot(tmp_path, "feeds", "set", "1", "--interval", "0")
    assert code == 2 and "--interval must be at least 1" in err
