"""The story threaders the store keeps, in this process or in a worker process.

The store (bot.storage.threads) decides stories through `thread_batch`, run by a runner:
in a thread of this process by default, or in a dedicated worker process (the app), so the
threading's CPU time leaves the event loop's core. Each store owns one threader, found by
its token. A process that does not hold the token's threader (a worker started anew after
a crash) answers None, and the store rebuilds the threader from the database: the
database is the truth, the threader a cache of it.

This module imports no storage or Telegram code, so a worker process stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from classifiers.stories import Decision, StoryArticle, StoryThreader

# One threader per store token, in the process that runs the calls.
_THREADERS: dict[str, StoryThreader] = {}


@dataclass(frozen=True, slots=True)
class ThreadRequest:
    """One call: maybe start afresh, restore known members, then decide new articles."""

    token: str
    window: float  # seconds
    reset: bool  # start a new threader (a rebuild) instead of continuing the held one
    restore: tuple[tuple[StoryArticle, str], ...]  # (article, its story id), decision order
    decide: tuple[StoryArticle, ...]  # new articles, in the order they are to be decided


def thread_batch(request: ThreadRequest) -> list[Decision] | None:
    """Restore, then decide, on the token's threader; None if this process does not hold it."""
    threader = _THREADERS.get(request.token)
    if request.reset:
        threader = StoryThreader(timedelta(seconds=request.window))
        _THREADERS[request.token] = threader
    elif threader is None:
        return None
    try:
        for article, story in request.restore:
            threader.restore(article, story)
        return [threader.add(article) for article in request.decide]
    except BaseException:
        del _THREADERS[request.token]  # half-applied: the next call rebuilds it
        raise


def forget(token: str) -> None:
    """Drop a store's threader (the store closed)."""
    _THREADERS.pop(token, None)
