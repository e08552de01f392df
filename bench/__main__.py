"""`python -m bench` (make bench): every benchmark, one after the other, with their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHES = ["bench_classify", "bench_parse", "bench_poll", "bench_delivery", "bench_search"]


def main() -> int:
    """Run each benchmark script with this interpreter; stop at the first failure."""
    here = Path(__file__).resolve().parent
    for name in BENCHES:
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, str(here / f"{name}.py")], check=False)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
