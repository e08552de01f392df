"""Logging that never shows a secret, and the one road every uncaught exception takes.

Secrets are the bot token and the passwords of DATABASE_URL, FEEDS_PROXY and
TELEGRAM_PROXY. `configure_logging` sets one stderr handler (text or one JSON object a
line) whose filter masks them in messages and tracebacks alike, and sends uncaught
exceptions (the main thread's, other threads', the event loop's, unraisable ones) and
warnings through it. Worker processes install the same handler with `configure_worker`.

This module imports nothing heavy: the parser processes import it too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from config.settings import Settings

REDACTED = "***"
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# httpx logs every Bot API request URL, token included, at INFO.
# apscheduler logs every run of every job at INFO: seconds apart, that drowns the rest.
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio")

log = logging.getLogger("bot")


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's message and traceback (httpx logs the token)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Remember the non-empty secrets, longest first so none hides inside another."""
        super().__init__()
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """text with every secret masked."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message, and format the traceback now so it is rewritten too."""
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            record.msg, record.args = self.redact(message), None
        # Formatters use exc_text when it is set: a traceback's messages (PTB's InvalidToken
        # quotes the token) and its frames' source lines are masked before any handler sees it.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, exc_info."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON; a traceback is a text field, not extra lines."""
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class LogSetup:
    """What a process needs to log as Marsad does; picklable, for worker processes."""

    level: str = "INFO"
    fmt: str = "text"  # "text" or "json"
    secrets: tuple[str, ...] = ()


def url_password(url: str | None) -> list[str]:
    """A URL's password as written and percent-decoded (logs may show either)."""
    if not url:
        return []
    try:
        password = urlsplit(url).password
    except ValueError:  # a malformed port; the settings refuse such URLs anyway
        return []
    return [password, unquote(password)] if password else []


def secrets_of(settings: Settings) -> list[str]:
    """The values that must never be printed."""
    secrets = []
    if settings.telegram_bot_token is not None:
        secrets.append(settings.telegram_bot_token.get_secret_value())
    secrets += url_password(settings.database_url_plain)
    for proxy in (settings.feeds_proxy, settings.telegram_proxy):
        secrets += url_password(proxy.get_secret_value() if proxy else None)
    return secrets


def log_setup(settings: Settings) -> LogSetup:
    """The logging of a process run with these settings."""
    return LogSetup(settings.log_level, settings.log_format, tuple(secrets_of(settings)))


def make_handler(setup: LogSetup, stream: TextIO | None = None) -> logging.Handler:
    """The one handler (on stderr unless told): the chosen format, secrets masked."""
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter = JsonFormatter() if setup.fmt == "json" else logging.Formatter(LOG_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(RedactSecrets(setup.secrets))
    return handler


def install(setup: LogSetup) -> None:
    """Route every log record, warning and uncaught exception of this process to the handler."""
    logging.basicConfig(level=setup.level, handlers=[make_handler(setup)], force=True)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.root.level))
    logging.captureWarnings(True)
    sys.excepthook = log_uncaught
    threading.excepthook = log_thread_exception
    sys.unraisablehook = log_unraisable


def configure_logging(settings: Settings) -> None:
    """One stderr handler at LOG_LEVEL in LOG_FORMAT that masks secrets; quiet chatty libraries."""
    install(log_setup(settings))


def configure_worker(setup: LogSetup | None) -> None:
    """A worker process's initializer: log like the parent, and leave Ctrl-C to the parent.

    Ctrl-C signals the whole process group; the parent stops the workers itself, and a
    worker interrupted in its queue's lock would print a KeyboardInterrupt traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup is not None:
        install(setup)


def log_uncaught(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """sys.excepthook: an uncaught exception, logged (masked) instead of printed."""
    if issubclass(kind, KeyboardInterrupt):
        return  # Ctrl-C outside the run loop: nothing went wrong
    log.critical("uncaught exception", exc_info=(kind, error, tb))


def log_thread_exception(args: threading.ExceptHookArgs) -> None:
    """threading.excepthook: a thread's uncaught exception, logged (masked)."""
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "?"
    log.error(
        "uncaught exception in thread %s",
        name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


def log_unraisable(unraisable: Any) -> None:
    """sys.unraisablehook: an exception Python could not raise (in __del__, a callback)."""
    error = unraisable.exc_value
    info = (type(error), error, unraisable.exc_traceback) if error is not None else None
    log.warning(
        "%s: %r", unraisable.err_msg or "exception ignored", unraisable.object, exc_info=info
    )


def log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The event loop's exception handler: what no task awaited, logged (masked)."""
    error = context.get("exception")
    message = context.get("message") or "unhandled exception in the event loop"
    info = (type(error), error, error.__traceback__) if isinstance(error, BaseException) else None
    log.error("%s", message, exc_info=info)
