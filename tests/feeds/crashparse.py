"""A parse target that kills its worker process on demand, for ParserPool tests."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Mapping
from datetime import datetime

from bot.classify import Rules
from bot.feeds.parse import parse_feed
from bot.models import ParsedFeed


def parse_or_crash(
    body: bytes, headers: Mapping[str, str], url: str, *, now: datetime, rules: Rules | None = None
) -> ParsedFeed:
    """parse_feed, except a body starting with CRASH kills the process like a segfault would."""
    if body.startswith(b"CRASH"):
        os._exit(70)
    return parse_feed(body, headers, url, now=now, rules=rules)


def worker_logging(secret: str) -> tuple[bool, list[str]]:
    """In a worker: whether Ctrl-C is ignored, and a record holding secret as the worker logs it."""
    ignores_sigint = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    record = logging.LogRecord(
        "bot.feeds.parse", logging.WARNING, __file__, 1, "%s", (secret,), None
    )
    lines = []
    for handler in logging.getLogger().handlers:
        if handler.filter(record):
            lines.append(handler.format(record))
    return ignores_sigint, lines
