"""Shared fixtures: real databases (a temporary SQLite file and the local PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from bot.storage import Store, create_engine
from tests.helpers.feedserver import TEST_ALLOW_NETWORKS

# The PostgreSQL server of the tests marked `postgres`; MARSAD_TEST_POSTGRES=host:port points
# them elsewhere (at a closed port, it shows that `-m "not postgres"` needs no server).
POSTGRES_ADDRESS = os.environ.get("MARSAD_TEST_POSTGRES", "127.0.0.1:5432")
POSTGRES_HOST, _, _port = POSTGRES_ADDRESS.rpartition(":")
POSTGRES_PORT = int(_port)
POSTGRES_URL = f"postgresql+asyncpg://postgres@{POSTGRES_ADDRESS}/test"
POSTGRES_DSN = f"postgresql://postgres@{POSTGRES_ADDRESS}/test"
# Programs libraries run on their own (ctypes.util.find_library), not the tests' programs.
LIBRARY_TOOLS = frozenset({"ldconfig", "gcc", "cc", "ld", "objdump"})


@pytest.fixture(autouse=True)
def allow_loopback_fetches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's feed servers are on loopback: Settings() (and subprocesses) may reach them.

    Tests of the address policy itself pass their own FETCH_ALLOW_NETWORKS.
    """
    monkeypatch.setenv("FETCH_ALLOW_NETWORKS", TEST_ALLOW_NETWORKS)


@pytest.fixture(autouse=True)
def subprocesses_only_in_slow_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test that starts a program (Marsad, a CLI, pip, a script) must be marked `slow`.

    subprocess.run and asyncio's subprocesses all go through Popen, so refusing it here
    keeps `-m "not slow"` free of them. The parser pool's workers fork without Popen, and
    the tools ctypes.util.find_library runs by itself are let through.
    """
    if request.node.get_closest_marker("slow") is not None:
        return
    popen = subprocess.Popen.__init__

    def refuse(self: subprocess.Popen[bytes], args: Any, *rest: Any, **kw: Any) -> None:
        program = args if isinstance(args, str | bytes | os.PathLike) else args[0]
        if os.path.basename(os.fsdecode(program)) not in LIBRARY_TOOLS:
            raise AssertionError(f"starts {args!r}: mark the test @pytest.mark.slow")
        popen(self, args, *rest, **kw)

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture
async def sqlite_store(tmp_path) -> AsyncIterator[Store]:
    """A migrated store on a fresh SQLite file."""
    store = Store(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}"))
    await store.migrate()
    yield store
    await store.close()


@pytest.fixture
async def postgres_store() -> AsyncIterator[Store]:
    """A migrated store in a fresh schema of the local PostgreSQL database `test`."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_DSN)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    # application_name lets a test find (and kill) exactly this store's connections.
    settings = {"search_path": schema, "application_name": schema}
    engine = create_engine(POSTGRES_URL, connect_args={"server_settings": settings})
    store = Store(engine)
    try:
        await store.migrate()
        yield store
    finally:
        await store.close()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the PostgreSQL server, so `-m "not postgres"` runs without it."""
    for item in items:
        if "postgres_store" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    """The same store tests on both databases."""
    return request.getfixturevalue(f"{request.param}_store")


# The local Telegram Bot API server's fixtures, for every test package.
from tests.helpers.botapi_fixtures import botapi, botapi_limited, tg_bot  # noqa: E402, F401
