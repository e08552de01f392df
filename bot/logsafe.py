"""Logging that never shows the bot token or the database password."""

from __future__ import annotations

import logging
import sys

from sqlalchemy.engine import make_url

from config.settings import Settings

REDACTED = "***"
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's final message (httpx logs URLs with the token)."""

    def __init__(self, secrets: list[str]) -> None:
        """Remember the non-empty secrets, longest first so none hides inside another."""
        super().__init__()
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message and drop the arguments once it holds no secret."""
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, REDACTED)
            record.msg, record.args = message, None
        return True


def secrets_of(settings: Settings) -> list[str]:
    """The values that must never be printed."""
    secrets = []
    if settings.telegram_bot_token is not None:
        secrets.append(settings.telegram_bot_token.get_secret_value())
    password = make_url(settings.database_url_plain).password
    if password:
        secrets.append(str(password))
    return secrets


def configure_logging(settings: Settings) -> None:
    """One stderr handler at LOG_LEVEL that redacts secrets; quiet chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    # httpx logs every Bot API request URL, token included, at INFO.
    # apscheduler logs every run of every job at INFO: seconds apart, that drowns the rest.
    for name in ("httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.root.level))
