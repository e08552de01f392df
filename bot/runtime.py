"""Process-wide settings made once at start, before any thread exists."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas; True if it applied.

    glibc gives each thread that allocates an arena of its own (up to 8 per core) and keeps
    their freed memory; the database's connection threads made a big poll cycle's process
    about 70 MB larger (bench/bench_poll.py) for no gain. Elsewhere than glibc: no-op.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc, or no mallopt
        return False
