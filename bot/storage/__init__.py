"""Persistence: the Store over SQLite (default) or PostgreSQL, behind bot.storage.protocols."""

from bot.storage.base import UNAVAILABLE, create_engine, missing_sqlite_file, outage_reason
from bot.storage.store import Store

__all__ = ["UNAVAILABLE", "Store", "create_engine", "missing_sqlite_file", "outage_reason"]
