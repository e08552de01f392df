"""Poll benchmark: whole cycles of Marsad over loopback feeds, beside feedparser alone.

    .venv/bin/python -m bench poll [--feeds 1000] [--hosts 50]

Serves N RSS feeds x 20 Arabic items of about 1,200 characters from a separate process,
spread over several loopback addresses (127.0.0.x) so per-host connection limits apply as
they would to real publishers. Prints, in one run: feedparser alone parsing the same bytes
in one process (the floor every Python poller pays), Marsad's first cycle (everything new:
fetch, parse, dedupe, classify, store on SQLite, thread into stories), the steady cycle
(everything answered 304), a fresh cycle (every feed lists one new item, as on a busy
day), the CPU seconds of the first cycle and the peak memory of Marsad's processes, over
a few rounds: machine speed drifts, so each round's ratio pairs figures taken together.
The feeds are generated in the server's process and in the floor's, so Marsad's process
holds only what it fetched.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import contextlib
from concurrent.futures import ProcessPoolExecutor

import feedparser
import psutil
from aiohttp import web

from bench import rerun_as_module
from bench.bench_parse import HEADERS, ITEMS_PER_FEED, item_xml, make_feeds
from bot.app import Marsad, RunOptions
from bot.feeds.fetch import FetchLimits
from bot.runtime import limit_malloc_arenas
from config.settings import Settings

PORT = 8731
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def serve(
    count: int,
    hosts: int,
    ready: multiprocessing.synchronize.Event,
    fresh: multiprocessing.synchronize.Event,
) -> None:
    """Serve /feed/N.xml with an ETag, answering 304 when it matches (runs in a child).

    Once `fresh` is set, every feed lists one new item before its others.
    """
    feeds = make_feeds(count)
    rng = random.Random(11)
    later = [
        body.replace(
            b"<ttl>15</ttl>",
            b"<ttl>15</ttl>" + item_xml(rng, n, ITEMS_PER_FEED, NOW + timedelta(hours=3)).encode(),
            1,
        )
        for n, body in enumerate(feeds)
    ]

    async def handler(request: web.Request) -> web.Response:
        number = int(request.match_info["number"])
        version, bodies = (2, later) if fresh.is_set() else (1, feeds)
        etag = f'"v{version}-{number}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=bodies[number], headers={**HEADERS, "ETag": etag})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{number}.xml", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for host in range(1, hosts + 1):
            await web.TCPSite(runner, f"127.0.0.{host}", PORT, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


class PeakMemory:
    """Samples the proportional memory (PSS) of this process and its children (the workers).

    PSS shares a page among the processes that map it, so pages the fork server shares
    with its workers count once, as the kernel holds them.
    """

    def __init__(self, exclude: int) -> None:
        self.exclude = exclude
        self.peak = 0
        self.main_peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = me.memory_full_info().pss
            self.main_peak = max(self.main_peak, total)
            for child in me.children(recursive=True):
                if child.pid != self.exclude:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += child.memory_full_info().pss
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def __enter__(self) -> PeakMemory:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def floor(count: int) -> float:
    """feedparser with its defaults over every body, in one process (runs in a child)."""
    feeds = make_feeds(count)
    headers = {k.lower(): v for k, v in HEADERS.items()}
    start = time.perf_counter()
    for body in feeds:
        feedparser.parse(io.BytesIO(body), response_headers=headers)
    return time.perf_counter() - start


@dataclass(frozen=True)
class Round:
    """One measured round: the floor, then Marsad's three cycles on a fresh database."""

    floor: float
    first: float
    steady: float
    fresh: float  # a cycle in which every feed lists one new item
    new_articles: int
    not_modified: int
    fresh_articles: int
    main_cpu: float  # CPU seconds of Marsad's own process during the first cycle
    workers_cpu: float  # and of its worker processes (the fork server included)


async def cycles(
    urls: list[str],
    database: Path,
    server: int,
    base: float,
    fresh_items: multiprocessing.synchronize.Event,
) -> Round:
    """Marsad's first, steady and fresh cycles on a new database, beside a floor measured before."""
    clock = [NOW]
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        feeds_file=None,
        poll_interval=300,
        telegram_bot_token=None,
        fetch_allow_networks="127.0.0.0/8",  # the benchmark's feed server is on loopback
    )
    options = RunOptions(console="jsonl", limits=FetchLimits(max_connections=100, max_per_host=4))
    marsad = Marsad(settings, options=options, clock=lambda: clock[0], stream=io.StringIO())
    try:
        await marsad.start()  # the workers start here, before the cycles
        for url in urls:
            await marsad.store.add_feed(url, now=clock[0])
        before = _cpu_by_process(server)
        first = await marsad.cycle()
        used = {pid: cpu - before.get(pid, 0.0) for pid, cpu in _cpu_by_process(server).items()}
        clock[0] += timedelta(hours=2)
        steady = await marsad.cycle()
        fresh_items.set()
        clock[0] += timedelta(hours=2)
        fresh = await marsad.cycle()
        fresh_items.clear()
    finally:
        await marsad.close()
    main_cpu = used.pop(os.getpid())
    return Round(
        base,
        first.seconds,
        steady.seconds,
        fresh.seconds,
        first.new_articles,
        steady.not_modified,
        fresh.new_articles,
        main_cpu,
        sum(used.values()),
    )


def _cpu_by_process(server: int) -> dict[int, float]:
    """CPU seconds used so far by this process and each of its children but the server."""
    me = psutil.Process()
    used = {}
    for process in [me, *(c for c in me.children(recursive=True) if c.pid != server)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            used[process.pid] = times.user + times.system
    return used


def measure(
    args: argparse.Namespace,
    urls: list[str],
    server: int,
    memory: PeakMemory,
    fresh: multiprocessing.synchronize.Event,
) -> Round:
    """The floor in a child process, then Marsad's cycles in this one (memory sampled)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        base = child.submit(floor, args.feeds).result()
    with tempfile.TemporaryDirectory() as tmp, memory:
        return asyncio.run(cycles(urls, Path(tmp) / "bench.db", server, base, fresh))


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="floor + cycles, repeated")
    args = parser.parse_args()
    size = sum(map(len, make_feeds(min(args.feeds, 20)))) * args.feeds / min(args.feeds, 20)
    print(
        f"{args.feeds} feeds x {ITEMS_PER_FEED} items on {args.hosts} loopback hosts, "
        f"about {size / 1e6:.1f} MB of RSS; {args.rounds} rounds"
    )
    spawn = multiprocessing.get_context("spawn")
    ready, fresh = spawn.Event(), spawn.Event()
    server = spawn.Process(target=serve, args=(args.feeds, args.hosts, ready, fresh), daemon=True)
    server.start()
    ready.wait(120)
    urls = [f"http://127.0.0.{n % args.hosts + 1}:{PORT}/feed/{n}.xml" for n in range(args.feeds)]
    limit_malloc_arenas()  # as `python -m bot` does
    rounds: list[Round] = []
    memory = PeakMemory(server.pid or 0)
    try:
        for _ in range(args.rounds):
            r = measure(args, urls, server.pid or 0, memory, fresh)
            rounds.append(r)
            print(
                f"  floor {r.floor:6.2f} s | first cycle ({r.new_articles} new) "
                f"{r.first:6.2f} s = {r.first / r.floor:.2f}x floor, CPU {r.main_cpu:.1f} s "
                f"main + {r.workers_cpu:.1f} s workers | steady ({r.not_modified} x 304) "
                f"{r.steady:.2f} s | fresh ({r.fresh_articles} new) {r.fresh:.2f} s",
                flush=True,
            )
    finally:
        server.terminate()
    ratio = statistics.median(r.first / r.floor for r in rounds)
    print(f"feedparser alone, one process (floor), median: {_median(rounds, 'floor'):6.2f} s")
    print(f"first cycle (all new), median:                 {_median(rounds, 'first'):6.2f} s")
    print(f"first cycle / floor, median of rounds:         {ratio:6.2f}x")
    print(f"steady cycle (all 304), median:                {_median(rounds, 'steady'):6.2f} s")
    print(f"fresh cycle (1 new item a feed), median:       {_median(rounds, 'fresh'):6.2f} s")
    print(
        f"peak memory (Marsad + workers):                {memory.peak / 2**20:6.0f} MB "
        f"(main process {memory.main_peak / 2**20:.0f} MB)"
    )


def _median(rounds: list[Round], name: str) -> float:
    """The median of one figure over the rounds."""
    return statistics.median(getattr(r, name) for r in rounds)


if __name__ == "__main__":
    rerun_as_module("poll")
