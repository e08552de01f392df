"""Settings: parsed once, invalid values stop with one clear message, secrets stay secret."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.logsafe import RedactSecrets, secrets_of
from config.settings import DEFAULT_DATABASE_URL, Settings, describe_errors

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:SECRET-token-value"


def clean_env(**values: str) -> dict[str, str]:
    """The current environment without Marsad's settings, plus values."""
    names = {
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL",
        "DATABASE_URL",
        "ADMIN_IDS",
        "FEEDS_FILE",
        "POLL_INTERVAL",
        "LOG_LEVEL",
    }
    env = {k: v for k, v in os.environ.items() if k not in names}
    env.update(values)
    return env


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in clean_env().keys() ^ os.environ.keys():
        monkeypatch.delenv(name)
    settings = Settings()
    assert settings.database_url_plain == DEFAULT_DATABASE_URL
    assert settings.telegram_bot_token is None
    assert settings.poll_interval == 300
    assert settings.feeds_file is not None and settings.feeds_file.name == "feeds.toml"


def test_admin_ids_are_comma_separated() -> None:
    assert Settings(admin_ids="12, 34,56").admin_ids == (12, 34, 56)


def test_every_problem_is_listed() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(
            poll_interval="soon",
            admin_ids="1,x",
            database_url="mysql://u:pw@h/db",
            telegram_api_url="ftp://example",
            log_level="LOUD",
        )
    message = describe_errors(caught.value)
    for name in ("POLL_INTERVAL", "ADMIN_IDS", "DATABASE_URL", "TELEGRAM_API_URL", "LOG_LEVEL"):
        assert name in message
    assert "pw" not in message


@pytest.mark.slow
def test_invalid_settings_exit_2_without_traceback(tmp_path: Path) -> None:
    env = clean_env(
        POLL_INTERVAL="0",
        DATABASE_URL="postgresql+asyncpg://u:hunter2@h/db",
        TELEGRAM_BOT_TOKEN=TOKEN,
        ADMIN_IDS="me",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "stats"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "POLL_INTERVAL" in done.stderr and "ADMIN_IDS" in done.stderr
    assert "Traceback" not in done.stderr
    assert "hunter2" not in done.stderr + done.stdout and TOKEN not in done.stderr


def test_secrets_are_not_in_reprs() -> None:
    settings = Settings(
        telegram_bot_token=TOKEN, database_url="postgresql+asyncpg://marsad:hunter2@db/marsad"
    )
    assert TOKEN not in repr(settings) and "hunter2" not in repr(settings)
    assert "hunter2" not in settings.database_url_safe
    assert settings.database_url_safe.startswith("postgresql+asyncpg://marsad:***@db")


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        telegram_bot_token=TOKEN, database_url="postgresql+asyncpg://marsad:hunter2@db/marsad"
    )
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactSecrets(secrets_of(settings)))
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
        logger.info("connect to %s failed", settings.database_url_plain)
    text = caplog.text
    assert TOKEN not in text and "hunter2" not in text
    assert "bot***/getMe" in text


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgres://u:p%40ss@db.example:5432/news",
            "postgresql+asyncpg://u:p%40ss@db.example:5432/news",
        ),
        ("postgresql://u:pw@db.example/news", "postgresql+asyncpg://u:pw@db.example/news"),
        (
            "postgresql://u:pw@db.example/news?sslmode=require",
            "postgresql+asyncpg://u:pw@db.example/news?ssl=require",
        ),
        ("sqlite:///data/marsad.db", "sqlite+aiosqlite:///data/marsad.db"),
        ("postgresql+asyncpg://u:pw@db.example/news", "postgresql+asyncpg://u:pw@db.example/news"),
    ],
)
def test_database_urls_as_hosting_platforms_give_them(given: str, used: str) -> None:
    settings = Settings(database_url=given)
    assert settings.database_url_plain == used
    assert given.startswith("sqlite") or ":***@db.example" in settings.database_url_safe


def test_database_connect_timeout_is_seconds_not_negative() -> None:
    assert Settings().database_connect_timeout == 30
    assert Settings(database_connect_timeout="2.5").database_connect_timeout == 2.5
    with pytest.raises(ValidationError):
        Settings(database_connect_timeout="-1")


def test_story_window_is_whole_hours_from_one_to_thirty_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STORY_WINDOW_HOURS", raising=False)
    assert Settings().story_window_hours == 48
    monkeypatch.setenv("STORY_WINDOW_HOURS", "12")
    assert Settings().story_window_hours == 12
    for wrong in ("0", "721", "two days"):
        monkeypatch.setenv("STORY_WINDOW_HOURS", wrong)
        with pytest.raises(ValidationError, match="story_window_hours"):
            Settings()
    assert "#STORY_WINDOW_HOURS=48" in (ROOT / ".env.example").read_text(encoding="utf-8")
