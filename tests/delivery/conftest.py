"""Fixtures for delivery tests; the suite-wide conftest may import the same ones."""

from tests.helpers.botapi_fixtures import botapi, tg_bot

__all__ = ["botapi", "tg_bot"]
