"""Schema migrations with Alembic, run on an async engine's connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str = "") -> Config:
    """An Alembic config that needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection) -> None:
    """Upgrade to head on a synchronous connection."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the database to the newest schema; a no-op when it is current."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def _is_current(connection: Connection) -> bool:
    """Whether the database's revision is the newest one, on a synchronous connection."""
    current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def is_current(engine: AsyncEngine) -> bool:
    """Whether the database has the newest schema (commands that only read need it)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_is_current)
