"""`python -m bench` (make bench): every benchmark, one after the other, with their figures.

`python -m bench poll [--feeds 500]` runs one (`poll` or `bench_poll`) with its own options.
Running them as this package's `__main__` matters for the ones with worker processes:
multiprocessing makes each worker import a main *script*, but skips a `__main__` module,
as it skips `bot.__main__` in production.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable

BENCHES = [
    "bench_classify",
    "bench_parse",
    "bench_poll",
    "bench_delivery",
    "bench_search",
    "bench_stories",
]


def run_one(name: str, args: list[str]) -> int:
    """Run one benchmark's main() in this process with its own arguments."""
    module = name if name.startswith("bench_") else f"bench_{name}"
    sys.argv = [f"bench/{module}.py", *args]
    entry: Callable[[], int | None] = importlib.import_module(f"bench.{module}").main
    return entry() or 0


def main() -> int:
    """Run one benchmark, or each in its own process; stop at the first failure."""
    if len(sys.argv) > 1:
        return run_one(sys.argv[1], sys.argv[2:])
    for name in BENCHES:
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, "-m", "bench", name], check=False)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
