"""Heartbeats and `python -m bot health`, the check a container or a supervisor runs."""

from __future__ import annotations

import io
import os
import re
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Marsad, RunOptions
from bot.jobs import deliver_job, poll_job
from bot.models import Heartbeat
from bot.storage import Store
from config.settings import Settings
from tests.app.marsad_process import clean_environment, run_marsad
from tests.helpers.botapi import BotApiServer
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss

HERE = f"{socket.gethostname()}:4242"  # an instance of this host, as the worker names itself
# POLL_INTERVAL=60 allows 3 x 60 + 60 seconds: two hours is stale, five seconds fresh.


def ago(**delta: float) -> datetime:
    """A moment before now, taken when the test runs (a slow run must not age it)."""
    return datetime.now(UTC) - timedelta(**delta)


def sqlite_env(tmp_path: Path) -> dict[str, str]:
    """Settings for the SQLite file of the sqlite_store fixture."""
    return clean_environment(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}")


async def beat(store: Store, loop: str, at: datetime, instance: str = HERE) -> None:
    """Record one heartbeat with an explicit time."""
    await store.record_heartbeat(Heartbeat(loop, instance, at, "test"))


async def test_a_heartbeat_replaces_the_previous_one_of_its_loop_and_instance(
    store: Store,
) -> None:
    fresh, stale = ago(seconds=5), ago(hours=2)
    await beat(store, "poll", stale, "host-a:1")
    await beat(store, "poll", fresh, "host-a:1")
    await beat(store, "deliver", stale, "host-a:1")
    latest = await store.latest_heartbeats(instance_prefix="host-a:")
    assert {loop: b.at for loop, b in latest.items()} == {"poll": fresh, "deliver": stale}


async def test_latest_heartbeats_take_the_newest_instance_of_one_host_only(store: Store) -> None:
    fresh, stale = ago(seconds=5), ago(hours=2)
    await beat(store, "poll", stale, "host_a:1")
    await beat(store, "poll", stale + timedelta(minutes=1), "host_a:2")
    await beat(store, "poll", fresh, "host-b:1")
    await beat(store, "poll", fresh, "hostXa:1")  # "_" is not a wildcard
    latest = await store.latest_heartbeats(instance_prefix="host_a:")
    assert latest["poll"].instance == "host_a:2"
    assert (await store.latest_heartbeats())["poll"].at == fresh


@pytest.mark.slow
async def test_health_is_ok_when_both_loops_beat_recently(
    tmp_path: Path, sqlite_store: Store
) -> None:
    fresh = ago(seconds=5)
    await beat(sqlite_store, "poll", fresh)
    await beat(sqlite_store, "deliver", fresh)
    code, out, err = await run_marsad(sqlite_env(tmp_path), "health")
    assert (code, err) == (0, "")
    assert re.fullmatch(r"healthy: poll \d+s ago \(test\); deliver \d+s ago \(test\)\n", out)


@pytest.mark.slow
async def test_health_names_the_stale_loop_and_since_when(
    tmp_path: Path, sqlite_store: Store
) -> None:
    fresh, stale = ago(seconds=5), ago(hours=2)
    await beat(sqlite_store, "poll", stale)
    await beat(sqlite_store, "deliver", fresh)
    await beat(sqlite_store, "poll", fresh, instance="another-host:1")  # not this host's
    code, out, err = await run_marsad(sqlite_env(tmp_path), "health")
    assert (code, out) == (1, "")
    since = stale.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert re.fullmatch(rf"unhealthy: poll: stale since {since} \(\d+s ago, limit 240s\)\n", err)


@pytest.mark.slow
async def test_health_says_when_a_loop_never_beat(tmp_path: Path, sqlite_store: Store) -> None:
    fresh = ago(seconds=5)
    await beat(sqlite_store, "poll", fresh)
    code, _, err = await run_marsad(sqlite_env(tmp_path), "health")
    assert (code, err) == (1, "unhealthy: deliver: no heartbeat yet\n")


@pytest.mark.slow
async def test_max_age_overrides_the_limit_derived_from_poll_interval(
    tmp_path: Path, sqlite_store: Store
) -> None:
    ninety_seconds_ago = ago(seconds=90)
    await beat(sqlite_store, "poll", ninety_seconds_ago)
    await beat(sqlite_store, "deliver", ninety_seconds_ago)
    env = sqlite_env(tmp_path)
    assert (await run_marsad(env, "health"))[0] == 0  # within 3 x 60 + 60 seconds
    code, _, err = await run_marsad(env, "health", "--max-age", "30")
    assert code == 1
    assert "poll: stale since" in err and "deliver: stale since" in err and "limit 30s" in err
    code, _, err = await run_marsad(env, "health", "--max-age", "0")
    assert (code, err) == (2, "error: --max-age must be at least 1 second\n")


@pytest.mark.slow
async def test_health_without_a_database_file_does_not_create_one(tmp_path: Path) -> None:
    code, out, err = await run_marsad(sqlite_env(tmp_path), "health")
    assert (code, out) == (1, "")
    assert err.startswith("unhealthy: cannot read the database: ") and "does not exist" in err
    assert not (tmp_path / "marsad.db").exists()


@pytest.mark.slow
async def test_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    env = clean_environment(DATABASE_URL="postgresql+asyncpg://marsad:pw-s3cret@127.0.0.1:9/m")
    code, out, err = await run_marsad(env, "health")
    assert (code, out) == (1, "")
    assert err.startswith("unhealthy: cannot read the database: ")
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "pw-s3cret" not in err


@pytest.mark.slow
async def test_health_is_ok_after_a_real_run_once_cycle(tmp_path: Path) -> None:
    async with FeedServer() as feeds:
        item = Item("a", "خبر عن افتتاح معرض", "نص.", "https://n/1", ago(seconds=0))
        feeds.static("/feed.xml", rss([item]))
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(f'[[feed]]\nurl = "{feeds.url("/feed.xml")}"\n', encoding="utf-8")
        env = sqlite_env(tmp_path)
        # Loopback feed servers are refused unless allowed (the fetch address policy).
        env.update(FEEDS_FILE=str(feeds_file), FETCH_ALLOW_NETWORKS="127.0.0.0/8")
        code, _, err = await run_marsad(env, "health")
        assert code == 1  # nothing ran yet
        code, _, err = await run_marsad(env, "run", "--once")
        assert code == 0, err
    code, out, err = await run_marsad(env, "health")
    assert code == 0, err
    assert out.startswith("healthy: poll ") and "(1 feeds, 1 new, 0 failed); deliver " in out


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def marsad_for(tmp_path: Path, clock: Clock, **settings: object) -> Marsad:
    """A Marsad without feeds on a temporary SQLite file, on the test's clock."""
    return Marsad(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}",
            feeds_file=None,
            **settings,
        ),
        options=RunOptions(parser_workers=1),
        clock=clock,
        stream=io.StringIO(),
    )


async def test_idle_poll_and_delivery_ticks_beat_at_the_app_clock(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))
    marsad = marsad_for(tmp_path, clock, telegram_bot_token=None)
    try:
        await marsad.start()
        await poll_job(marsad)  # no feed is due: an idle tick still beats
        poll_time = clock.now
        clock.now += timedelta(seconds=2)
        await deliver_job(marsad)  # nothing pending
        beats = await marsad.store.latest_heartbeats(instance_prefix=marsad.instance)
    finally:
        await marsad.close()
    assert {(b.loop, b.at, b.detail) for b in beats.values()} == {
        ("poll", poll_time, "0 feeds, 0 new, 0 failed"),
        ("deliver", clock.now, "0 sent"),
    }
    assert marsad.instance == f"{socket.gethostname()}:{os.getpid()}"


async def test_delivery_beats_while_telegram_is_not_connected_yet(
    tmp_path: Path, botapi: BotApiServer
) -> None:
    clock = Clock(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))
    marsad = marsad_for(
        tmp_path, clock, telegram_bot_token=botapi.token, telegram_api_url=botapi.base_url
    )
    try:
        await marsad.start()
        await deliver_job(marsad)
        beats = await marsad.store.latest_heartbeats(instance_prefix=marsad.instance)
    finally:
        await marsad.close()
    assert beats["deliver"].detail == "waiting for Telegram"
    assert "poll" not in beats
