"""The engine and what every part of the store shares: connections, transactions, outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.errors import DatabaseUnreachable
from bot.storage.connect import wait_until_reachable
from bot.storage.migrate import is_current, migrate

# What an unreachable or failing database raises (see bot.storage.protocols): SQLAlchemy's
# DBAPIError, or OSError when asyncpg's connection is refused before SQLAlchemy sees it.
UNAVAILABLE: tuple[type[Exception], ...] = (DBAPIError, OSError)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and the writer work together; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_engine(url: str, *, connect_args: dict[str, Any] | None = None) -> AsyncEngine:
    """An async engine for url, with SQLite's directory created and its pragmas set."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _make_directory(
                Path(parsed.database).parent, parsed.render_as_string(hide_password=True)
            )
        engine = create_async_engine(url, connect_args=connect_args or {})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # pre_ping replaces connections a database restart has closed.
    return create_async_engine(
        url, connect_args=connect_args or {}, pool_pre_ping=True, pool_size=5, max_overflow=5
    )


def _make_directory(directory: Path, url: str) -> None:
    """Create a SQLite file's directory; one clear error when that is impossible."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUnreachable(
            f"cannot reach the database at {url}: "
            f"cannot create the directory {directory} ({exc.strerror or exc})"
        ) from None


def outage_reason(error: BaseException) -> BaseException:
    """The driver's own error inside one of UNAVAILABLE (SQLAlchemy wraps it), else itself."""
    original = error.orig if isinstance(error, DBAPIError) else None
    return original or error


def missing_sqlite_file(url: str) -> str | None:
    """A SQLite file that does not exist (opening it would create an empty database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if Path(parsed.database).exists() else parsed.database


class StoreBase:
    """One SQLAlchemy async engine, and the transactions every part of the store writes in."""

    def __init__(self, engine: AsyncEngine) -> None:
        """Wrap an engine; call `migrate()` before first use on a new database."""
        self.engine = engine
        self._insert = sqlite.insert if engine.dialect.name == "sqlite" else postgresql.insert
        # SQLite has one writer at a time: writers queue here in order instead of colliding
        # on pooled connections, sleeping in SQLite's busy handler or failing to upgrade.
        self._write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction that commits on success (writers queue on SQLite)."""
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self.engine.begin() as conn:
            yield conn

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    async def migrate(self) -> None:
        """Create or upgrade the schema."""
        await migrate(self.engine)

    async def is_migrated(self) -> bool:
        """Whether the schema is the newest (reading commands do not migrate)."""
        return await is_current(self.engine)

    async def wait_until_reachable(self, patience: float) -> None:
        """Connect once, retrying for up to `patience` seconds; DatabaseUnreachable after that."""
        await wait_until_reachable(self.engine, patience=patience)

    async def close(self) -> None:
        """Release every connection."""
        await self.engine.dispose()
