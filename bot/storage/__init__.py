"""Persistence: the Store interface over SQLite (default) or PostgreSQL."""

from bot.storage.store import Store, create_engine

__all__ = ["Store", "create_engine"]
