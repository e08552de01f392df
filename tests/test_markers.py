"""The markers hold: programs start only in `slow` tests, PostgreSQL only in `postgres` ones."""

from __future__ import annotations

import subprocess

import pytest

from bot.storage import Store


def test_a_test_not_marked_slow_cannot_start_a_program() -> None:
    """tests/conftest.py refuses subprocesses outside `slow` tests, so `-m "not slow"` has none."""
    with pytest.raises(AssertionError, match=r"mark the test @pytest\.mark\.slow"):
        subprocess.run(["true"], check=False)


def test_a_test_using_the_postgres_store_is_marked_postgres(
    request: pytest.FixtureRequest, postgres_store: Store
) -> None:
    assert request.node.get_closest_marker("postgres") is not None
