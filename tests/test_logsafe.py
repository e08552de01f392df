"""Logs never show a secret, in text or JSON, in messages or tracebacks."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logsafe import LogSetup, make_handler, secrets_of
from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:SECRET-token-value"
SETTINGS = Settings(
    telegram_bot_token=TOKEN,
    database_url="postgresql+asyncpg://marsad:hunter2@db/marsad",
    feeds_proxy="socks5://reader:feeds%2Fpw@127.0.0.1:1080",
    telegram_proxy="http://bot:tg-proxy-pw@proxy.example:3128",
)


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own and the buffer its records go to (see `use`)."""
    logger = logging.getLogger("test.logsafe")
    logger.propagate = False
    yield logger, io.StringIO()
    logger.handlers.clear()
    logger.propagate = True


def use(logger: logging.Logger, out: io.StringIO, fmt: str) -> None:
    """Send logger's records through Marsad's handler in fmt."""
    logger.handlers[:] = [make_handler(LogSetup("INFO", fmt, tuple(secrets_of(SETTINGS))), out)]


def test_proxy_passwords_are_secrets_as_written_and_decoded() -> None:
    secrets = secrets_of(SETTINGS)
    assert {TOKEN, "hunter2", "tg-proxy-pw", "feeds%2Fpw", "feeds/pw"} <= set(secrets)


def raise_with_token() -> None:
    """An exception whose message holds the token, as PTB's InvalidToken does."""
    try:
        raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/getMe refused")
    except ConnectionError as exc:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.") from exc


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_tracebacks_are_masked(logged: tuple[logging.Logger, io.StringIO], fmt: str) -> None:
    logger, out = logged
    use(logger, out, fmt)
    try:
        raise_with_token()
    except RuntimeError:
        logger.exception("getMe failed through %s", "http://bot:tg-proxy-pw@proxy.example:3128")
    text = out.getvalue()
    assert "RuntimeError: The token `***` was rejected" in text.replace("\\n", "\n")
    for secret in (TOKEN, "tg-proxy-pw"):
        assert secret not in text


def test_json_format_is_one_object_a_line(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = logged
    use(logger, out, "json")
    logger.warning("feed %d (%s) failed", 7, "https://أخبار.example/rss")
    try:
        raise_with_token()
    except RuntimeError:
        logger.exception("two\nlines")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["message"] == "feed 7 (https://أخبار.example/rss) failed"
    assert (first["level"], first["logger"]) == ("WARNING", "test.logsafe")
    assert first["time"].endswith("+00:00")
    assert second["message"] == "two\nlines"
    assert second["exc_info"].startswith("Traceback (most recent call last):")
    assert "The above exception was the direct cause" in second["exc_info"]
    assert TOKEN not in out.getvalue()


HOOKS_SCRIPT = f"""
import asyncio, threading
from bot.logsafe import LogSetup, install, log_loop_exception

install(LogSetup("INFO", "json", ({TOKEN!r},)))

def fail():
    raise RuntimeError("thread saw {TOKEN}")

thread = threading.Thread(target=fail, name="worker-thread")
thread.start()
thread.join()

def explode():
    raise ValueError("loop saw {TOKEN}")

async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(log_loop_exception)
    loop.call_soon(explode)
    await asyncio.sleep(0)
    await asyncio.sleep(0)

asyncio.run(main())
raise SystemError("main saw {TOKEN}")
"""


@pytest.mark.slow
def test_uncaught_exceptions_of_every_kind_are_logged_masked() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HOOKS_SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stderr.splitlines()]  # every line is a record
    assert TOKEN not in done.stderr
    messages = [(r["level"], r["message"].split(" at ")[0]) for r in records]
    assert messages == [
        ("ERROR", "uncaught exception in thread worker-thread"),
        ("ERROR", "Exception in callback explode()"),
        ("CRITICAL", "uncaught exception"),
    ]
    assert [r["exc_info"].splitlines()[-1] for r in records] == [
        "RuntimeError: thread saw ***",
        "ValueError: loop saw ***",
        "SystemError: main saw ***",
    ]
