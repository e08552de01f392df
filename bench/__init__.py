"""Benchmarks that print figures: `python -m bench [name]` (see bench/__main__.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rerun_as_module(name: str) -> None:
    """Replace this script's process with `python -m bench name`, keeping its arguments.

    Worker processes import a main script again (multiprocessing's spawn preparation), which
    would load the whole bot into them and inflate their memory; a `__main__` they skip.
    """
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    os.execve(sys.executable, [sys.executable, "-m", "bench", name, *sys.argv[1:]], env)
