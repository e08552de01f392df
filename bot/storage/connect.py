"""The first connection: wait a bounded time for a database that is starting, else one line.

A database container or a managed server often comes up after Marsad does; a refused
connection, an unknown host or a missing database are then retried with exponential
backoff until DATABASE_CONNECT_TIMEOUT. A SQLite file is local: its errors are final.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import DatabaseUnreachable

log = logging.getLogger(__name__)

FIRST_DELAY = 0.5  # seconds before the first retry; doubled after each failure
MAX_DELAY = 8.0
ATTEMPT_TIMEOUT = 10.0  # one connection attempt never waits longer (a host dropping packets)
MIN_ATTEMPT = 2.0  # even the last attempt gets this long


async def wait_until_reachable(
    engine: AsyncEngine, *, patience: float, clock: Callable[[], float] = time.monotonic
) -> None:
    """Return once a connection succeeds; raise DatabaseUnreachable after `patience` seconds."""
    deadline = clock() + patience
    delay = FIRST_DELAY
    while True:
        remaining = deadline - clock()
        try:
            async with asyncio.timeout(min(ATTEMPT_TIMEOUT, max(remaining, MIN_ATTEMPT))):
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            return
        except (OSError, DBAPIError, TimeoutError) as exc:
            reason = describe_failure(engine, exc)
        remaining = deadline - clock()
        if engine.dialect.name == "sqlite":
            raise DatabaseUnreachable(f"cannot reach the database at {safe_url(engine)}: {reason}")
        if remaining <= 0:
            raise DatabaseUnreachable(
                f"cannot reach the database at {safe_url(engine)}: {reason} "
                f"(tried for {patience:g} s, DATABASE_CONNECT_TIMEOUT)"
            )
        if delay == FIRST_DELAY:  # one line while waiting, not one per attempt
            log.warning(
                "cannot reach the database at %s yet (%s); retrying for up to %.0f s",
                safe_url(engine),
                reason,
                remaining,
            )
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_DELAY)


def safe_url(engine: AsyncEngine) -> str:
    """The engine's URL with its password masked."""
    return engine.url.render_as_string(hide_password=True)


def describe_failure(engine: AsyncEngine, error: BaseException) -> str:
    """Why a connection failed, in a few words an operator can act on."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return f"unknown host {engine.url.host} ({error.strerror})"
    if isinstance(error, TimeoutError):
        return "no answer"
    if isinstance(error, DBAPIError):
        return _first_line(error.orig if error.orig is not None else error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return _first_line(error)


def _first_line(error: BaseException) -> str:
    """An exception's first line, or its type when it has no message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
