"""A parse target that kills its worker process on demand, for ParserPool tests."""

from __future__ import annotations

import os
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
