"""Fixtures for feed tests: a local feed server and a fetch session with short timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.feeds.fetch import FetchLimits, make_session
from tests.helpers.feedserver import LOOPBACK_ALLOWED, FeedServer

# Short enough that a hanging server costs the suite a second, long enough for loopback.
TEST_LIMITS = FetchLimits(connect_timeout=2.0, total_timeout=2.0, max_body=10 * 1024 * 1024)
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """A running local feed server, closed after the test."""
    async with FeedServer() as server:
        yield server


@pytest.fixture
def limits() -> FetchLimits:
    """Fetch limits with test-sized timeouts."""
    return TEST_LIMITS


@pytest.fixture
async def session(limits: FetchLimits) -> AsyncIterator[aiohttp.ClientSession]:
    """The shared fetch session, as the bot builds it, allowed to reach the loopback servers."""
    async with make_session(limits, LOOPBACK_ALLOWED) as client:
        yield client
