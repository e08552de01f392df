"""Pytest fixtures around the local Bot API server; tests/conftest.py imports them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.ext import ApplicationBuilder

from tests.helpers.botapi import BotApiServer


def bot_for(server: BotApiServer) -> Bot:
    """A real PTB Bot that talks to ``server`` over HTTP."""
    return Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url)


def application_builder_for(server: BotApiServer) -> ApplicationBuilder:  # type: ignore[type-arg]
    """A real PTB ApplicationBuilder pointed at ``server``; add handlers, then build()."""
    return (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
    )


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    """A Bot API server that accepts everything valid, without rate limits."""
    async with BotApiServer() as server:
        yield server


@pytest.fixture
async def botapi_limited() -> AsyncIterator[BotApiServer]:
    """A Bot API server that enforces Telegram's limits and answers 429 beyond them."""
    async with BotApiServer(enforce_limits=True) as server:
        yield server


@pytest.fixture
async def tg_bot(botapi: BotApiServer) -> AsyncIterator[Bot]:
    """An initialised real PTB Bot talking to the ``botapi`` server."""
    async with bot_for(botapi) as bot:
        yield bot
