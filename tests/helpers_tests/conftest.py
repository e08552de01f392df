"""Fixtures for these tests; the suite-wide conftest may import the same ones."""

from tests.helpers.botapi_fixtures import botapi, botapi_limited, tg_bot

__all__ = ["botapi", "botapi_limited", "tg_bot"]
