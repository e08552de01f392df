"""`python -m bot ...` in a subprocess, as an operator or a container runs it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.helpers.feedserver import TEST_ALLOW_NETWORKS

ROOT = Path(__file__).resolve().parents[2]
# Variables the tests set themselves; the runner's own values must not leak in.
OWN_PREFIXES = ("TELEGRAM_", "DATABASE_", "FEEDS_", "FETCH_", "POLL_")
PROXY_NAMES = {"ALL_PROXY", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"}


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without Marsad's settings or proxies, plus settings.

    Fetches may reach the loopback test servers unless the test sets FETCH_ALLOW_NETWORKS.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(OWN_PREFIXES) and key.upper() not in PROXY_NAMES
    }
    env.update(FEEDS_FILE="", POLL_INTERVAL="60", FETCH_ALLOW_NETWORKS=TEST_ALLOW_NETWORKS)
    env.update(settings)
    return env


async def run_marsad(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run `python -m bot ARGS` from the checkout; return exit code, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
