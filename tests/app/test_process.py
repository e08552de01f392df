"""`python -m bot` as a supervisor sees it: exit codes, one-line failures, no secret, clean stop."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot import __version__
from bot.exitcodes import ExitCode
from config.settings import Settings
from tests.app.marsad_process import ROOT, clean_environment, run_marsad
from tests.conftest import POSTGRES_ADDRESS, POSTGRES_DSN, POSTGRES_HOST, POSTGRES_PORT
from tests.helpers.botapi import BotApiServer
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss

pytestmark = pytest.mark.slow

REFUSED_TOKEN = "999999:REFUSED-secret-token-value"
NOW = datetime.now(UTC)
# Five items, newest first: a first poll's console preview shows the first three only.
ITEMS = [
    Item(
        f"n{i}",
        f"الخبر رقم {i} عن المدينة",
        "نص الخبر.",
        f"https://n.example/{i}",
        NOW - timedelta(hours=i),
    )
    for i in range(5)
]


def sqlite_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """Settings for a new SQLite file in tmp_path, loopback fetches allowed."""
    return clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}",
        FETCH_ALLOW_NETWORKS="127.0.0.0/8",
        **settings,
    )


async def start_marsad(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` in a process group of its own, as a terminal or supervisor runs it."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )


async def finish(process: asyncio.subprocess.Process, seconds: float = 60) -> tuple[int, str, str]:
    """Wait for the process (killing its group if it outstays seconds); code, stdout, stderr."""
    try:
        out, err = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = await process.communicate()
        pytest.fail(f"still running after {seconds} s:\n{err.decode()[-3000:]}")
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def error_lines(err: str) -> list[str]:
    """The ERROR and CRITICAL lines of a text log."""
    return [line for line in err.splitlines() if " ERROR " in line or " CRITICAL " in line]


# A refused token -----------------------------------------------------------------------


@pytest.mark.parametrize("once", [True, False], ids=["run --once", "run"])
async def test_a_refused_token_exits_3_with_one_line_saying_what_to_do(
    tmp_path: Path, once: bool
) -> None:
    async with BotApiServer() as api:  # it answers 401 Unauthorized to any other token
        env = sqlite_env(tmp_path, TELEGRAM_BOT_TOKEN=REFUSED_TOKEN, TELEGRAM_API_URL=api.base_url)
        process = await start_marsad(env, "run", *(["--once"] if once else []))
        code, _, err = await finish(process, 60)
    assert code == ExitCode.TOKEN_REFUSED == 3
    assert REFUSED_TOKEN not in err and "REFUSED-secret" not in err
    assert "Traceback" not in err
    assert [line.split(": ", 1)[1] for line in error_lines(err)] == [
        "the Bot API refused TELEGRAM_BOT_TOKEN; check it with @BotFather "
        "or unset it to run in console mode"
    ]


async def test_json_logs_are_one_masked_object_a_line(tmp_path: Path) -> None:
    async with BotApiServer() as api:
        env = sqlite_env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=REFUSED_TOKEN,
            TELEGRAM_API_URL=api.base_url,
            LOG_FORMAT="json",
            LOG_LEVEL="DEBUG",  # PTB logs its Bot API URL, token included, at DEBUG
        )
        code, _, err = await run_marsad(env, "run", "--once")
    assert code == ExitCode.TOKEN_REFUSED
    records = [json.loads(line) for line in err.splitlines()]
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["message"] == f"Set Bot API URL: {api.base_url}***" for r in records)
    assert (
        records[-1]["level"] == "ERROR" and "refused TELEGRAM_BOT_TOKEN" in records[-1]["message"]
    )
    assert "REFUSED-secret" not in err


# Databases -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://postgres:hunter2@127.0.0.1:1/test", "connection refused"),
        (
            "postgres://postgres:hunter2@no-such-host.invalid/test",
            "unknown host no-such-host.invalid",
        ),
        pytest.param(
            f"postgresql+asyncpg://postgres:hunter2@{POSTGRES_ADDRESS}/marsad_no_such_db",
            'database "marsad_no_such_db" does not exist',
            marks=pytest.mark.postgres,  # the server must answer to say so
        ),
    ],
    ids=["refused", "unknown host", "missing database"],
)
async def test_an_unreachable_database_is_retried_then_one_line_and_exit_4(
    tmp_path: Path, url: str, reason: str
) -> None:
    # Four seconds: on a loaded machine a first attempt alone can take longer than one.
    env = clean_environment(DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT="4")
    code, _, err = await run_marsad(env, "run", "--once")
    assert code == ExitCode.DATABASE_UNREACHABLE == 4, err
    assert "Traceback" not in err and "hunter2" not in err
    retrying, final = err.splitlines()
    assert " WARNING " in retrying and "retrying for up to" in retrying
    safe = Settings(database_url=url).database_url_safe  # postgresql+asyncpg://postgres:***@
    assert f" ERROR   bot: cannot reach the database at {safe}: {reason}" in final
    assert final.endswith(" (tried for 4 s, DATABASE_CONNECT_TIMEOUT)")


async def test_a_sqlite_file_that_cannot_be_created_is_one_line_and_exit_4(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    url = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'marsad.db'}"
    for command in (["run", "--once"], ["migrate"]):
        code, _, err = await run_marsad(clean_environment(DATABASE_URL=url), *command)
        assert code == ExitCode.DATABASE_UNREACHABLE, err
        assert err.splitlines() == [err.rstrip("\n")]  # one line, no retry for a local file
        assert err.rstrip().endswith(
            f"cannot reach the database at {url}: "
            f"cannot create the directory {tmp_path / 'a-file'} (File exists)"
        )


@pytest.fixture
async def new_postgres_database() -> AsyncIterator[str]:
    """The name of a new, empty database on the local PostgreSQL server."""
    name = f"marsad_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


@pytest.mark.postgres
async def test_a_database_that_comes_up_while_marsad_waits_is_used(
    new_postgres_database: str,
) -> None:
    # A free port, refused until the "database" (a forwarder to PostgreSQL) starts on it.
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    env = clean_environment(
        DATABASE_URL=f"postgres://postgres:hunter2@127.0.0.1:{port}/{new_postgres_database}",
        DATABASE_CONNECT_TIMEOUT="60",
    )
    process = await start_marsad(env, "migrate")
    assert process.stderr is not None
    waiting = (await asyncio.wait_for(process.stderr.readline(), 30)).decode()
    assert "retrying for up to" in waiting and "connection refused" in waiting
    forwarder = await asyncio.start_server(forward_to_postgres, "127.0.0.1", port)
    async with forwarder:
        code, _, err = await finish(process, 60)
    assert code == ExitCode.OK, err
    assert "Traceback" not in err and "hunter2" not in waiting + err


async def forward_to_postgres(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Relay one connection to the local PostgreSQL server."""
    upstream_reader, upstream_writer = await asyncio.open_connection(POSTGRES_HOST, POSTGRES_PORT)

    async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except ConnectionError:
            pass
        finally:
            sink.close()

    await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


@pytest.mark.postgres
async def test_postgres_urls_as_platforms_give_them_work_and_the_banner_masks_them(
    new_postgres_database: str,
) -> None:
    url = f"postgres://postgres:hunter2@{POSTGRES_ADDRESS}/{new_postgres_database}"
    env = clean_environment(DATABASE_URL=url)
    code, _, err = await run_marsad(env, "migrate")
    assert code == ExitCode.OK, err
    code, out, err = await run_marsad(env, "stats", "--json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["feeds"] == 0
    code, out, err = await run_marsad(env, "run", "--once")
    assert code == ExitCode.OK, err
    assert (
        f"database: postgresql+asyncpg://postgres:***@{POSTGRES_ADDRESS}/{new_postgres_database}"
        in err
    )
    assert "hunter2" not in out + err


# Reading commands do not migrate --------------------------------------------------------


@pytest.mark.parametrize("command", [["stats"], ["feeds", "list"], ["feeds", "export"]])
async def test_reading_commands_ask_for_migrate_instead_of_creating_a_database(
    tmp_path: Path, command: list[str]
) -> None:
    env = sqlite_env(tmp_path)
    code, out, err = await run_marsad(env, *command)
    assert code == ExitCode.NOT_MIGRATED == 5
    assert out == "" and "Traceback" not in err
    assert err.rstrip().endswith("does not exist: run `python -m bot migrate` first")
    assert not (tmp_path / "marsad.db").exists()
    # An existing file without Marsad's schema (a wrong path, a half-made database).
    (tmp_path / "marsad.db").write_bytes(b"")
    code, _, err = await run_marsad(env, *command)
    assert code == ExitCode.NOT_MIGRATED
    assert err.rstrip().endswith("has no schema or an older one: run `python -m bot migrate` first")
    code, _, err = await run_marsad(env, "migrate")
    assert code == ExitCode.OK, err
    code, _, err = await run_marsad(env, *command)
    assert code == ExitCode.OK, err


# The command line ----------------------------------------------------------------------


async def test_version_and_help_name_the_settings_and_env_file(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    code, out, _ = await run_marsad(env, "--version")
    assert (code, out.strip()) == (0, f"Marsad {__version__}")
    code, out, _ = await run_marsad(env, "--help")
    assert code == 0
    assert ".env" in out and "python -m bot --once" in out
    for name in Settings.model_fields:
        assert name.upper() in out
    assert not (tmp_path / "marsad.db").exists()


async def test_once_alone_is_run_once_with_a_banner_and_a_first_poll_preview(
    tmp_path: Path,
) -> None:
    async with FeedServer() as feeds:
        feeds.static("/feed.xml", rss(ITEMS, title="أخبار المدينة"))
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(f'[[feed]]\nurl = "{feeds.url("/feed.xml")}"\n', encoding="utf-8")
        env = sqlite_env(tmp_path, FEEDS_FILE=str(feeds_file))
        code, out, err = await run_marsad(env, "--once")
    assert code == ExitCode.OK, err
    assert "one cycle done: 1 feeds, 5 new articles, 0 failed" in err
    # One banner: the database, console mode and why, how to set a token, feeds, interval.
    assert err.count(f"Marsad {__version__} starting") == 1
    assert f"database: sqlite+aiosqlite:///{tmp_path / 'marsad.db'}" in err
    assert "console: TELEGRAM_BOT_TOKEN is not set" in err and "in .env" in err
    assert "feeds:    1 active of 1, each polled every 60 s" in err
    # The first poll alerts nothing, but shows its newest three items with their topics.
    assert out.startswith("── first poll of أخبار المدينة: 5 items stored, the newest 3 below")
    shown = [line.strip("• ").strip() for line in out.splitlines() if line.startswith("  • ")]
    assert shown == [item.title for item in ITEMS[:3]]
    assert out.count("no topic") == 3 and "https://n.example/0" in out


# Stopping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "once", "group"),
    [
        (signal.SIGINT, False, True),  # Ctrl-C in a terminal signals the whole group
        (signal.SIGTERM, False, False),  # docker stop, systemd (KillMode=mixed)
        (signal.SIGINT, True, True),
        (signal.SIGTERM, True, False),
    ],
    ids=["run Ctrl-C", "run SIGTERM", "once Ctrl-C", "once SIGTERM"],
)
async def test_a_stop_during_a_cycle_exits_0_without_traceback_or_leftover_process(
    tmp_path: Path, signum: signal.Signals, once: bool, group: bool
) -> None:
    async with FeedServer() as feeds:
        feeds.static("/quick.xml", rss(ITEMS[:1]))
        for i in range(4):
            feeds.slow(f"/slow{i}.xml", 60)  # answers only after the test is over
        paths = ["/quick.xml"] + [f"/slow{i}.xml" for i in range(4)]
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(
            "".join(f'[[feed]]\nurl = "{feeds.url(p)}"\n' for p in paths), encoding="utf-8"
        )
        env = sqlite_env(tmp_path, FEEDS_FILE=str(feeds_file))
        process = await start_marsad(env, "run", *(["--once"] if once else []))
        await until(lambda: all(feeds.hits[p] for p in paths))  # the cycle is fetching
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        code, _, err = await finish(process, 60)
    assert code == ExitCode.OK, err
    for sign in ("Traceback", "KeyboardInterrupt", "raised an exception", "CancelledError"):
        assert sign not in err, err
    assert err.rstrip().endswith("stopped before the cycle finished" if once else "stopped")
    await until(lambda: group_is_gone(process.pid))  # no worker or fork server left behind


def group_is_gone(pgid: int) -> bool:
    """Whether no process of the group is left."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


async def until(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Return once condition holds (checked every 50 ms); fail after seconds."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    pytest.fail("the condition did not hold in time")
