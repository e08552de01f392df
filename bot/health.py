"""Liveness from heartbeats: each loop records in the database when it last made progress.

The poll job and the delivery job write one heartbeat per run (see `bot.app`);
`python -m bot health` (the container's health check) reads the newest of each loop.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.models import Heartbeat
from bot.storage import UNAVAILABLE, Store, create_engine, missing_sqlite_file, outage_reason

LOOPS = ("poll", "deliver")
# A loop is stale after missing three poll intervals, plus room for one slow cycle.
STALE_AFTER_INTERVALS = 3
SLACK_SECONDS = 60
CONNECT_TIMEOUT = 10.0


def instance_name() -> str:
    """This process's name in the heartbeats table: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def host_prefix() -> str:
    """What every instance name of this host starts with."""
    return f"{socket.gethostname()}:"


def default_max_age(poll_interval: int) -> timedelta:
    """How old the newest heartbeat of a loop may be while the loop counts as alive."""
    return timedelta(seconds=STALE_AFTER_INTERVALS * poll_interval + SLACK_SECONDS)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The health check's answer: healthy or not, in one line."""

    healthy: bool
    line: str


def judge(beats: dict[str, Heartbeat], *, now: datetime, max_age: timedelta) -> Verdict:
    """Healthy when every loop has a heartbeat no older than max_age."""
    problems, fine = [], []
    for loop in LOOPS:
        beat = beats.get(loop)
        if beat is None:
            problems.append(f"{loop}: no heartbeat yet")
            continue
        age = _seconds(now - beat.at)
        if now - beat.at > max_age:
            since = beat.at.strftime("%Y-%m-%d %H:%M:%S UTC")
            problems.append(f"{loop}: stale since {since} ({age} ago, limit {_seconds(max_age)})")
        else:
            fine.append(f"{loop} {age} ago" + (f" ({beat.detail})" if beat.detail else ""))
    if problems:
        return Verdict(False, "unhealthy: " + "; ".join(problems))
    return Verdict(True, "healthy: " + "; ".join(fine))


async def check(url: str, *, now: datetime, max_age: timedelta, prefix: str) -> Verdict:
    """Judge the heartbeats of the instances whose names start with prefix, read from url."""
    missing = missing_sqlite_file(url)
    if missing:
        return Verdict(False, f"unhealthy: cannot read the database: {missing} does not exist")
    # A bounded connect: the container's health check has its own timeout to stay under.
    connect_args = {"timeout": CONNECT_TIMEOUT} if url.startswith("postgresql") else {}
    store = Store(create_engine(url, connect_args=connect_args))
    try:
        beats = await store.latest_heartbeats(instance_prefix=prefix)
    except UNAVAILABLE as exc:
        reason = outage_reason(exc)
        return Verdict(False, f"unhealthy: cannot read the database: {_one_line(reason)}")
    finally:
        await store.close()
    return judge(beats, now=now, max_age=max_age)


def _seconds(delta: timedelta) -> str:
    """A duration as whole seconds, e.g. "75s"."""
    return f"{int(delta.total_seconds())}s"


def _one_line(error: BaseException) -> str:
    """An exception's first line, or its type when it has no message."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
