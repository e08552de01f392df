"""Threading stored articles into stories: at start, and while a cycle goes on.

The poll's writes only queue new articles for their stories; this loop runs the store's
threading steps beside the fetches and parses, so a big cycle's writes never wait for the
threader, and the cycle ends once every article it stored has its story.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.storage import UNAVAILABLE
from bot.storage.protocols import PollStore

log = logging.getLogger(__name__)


class StoryLoop:
    """Runs threading steps whenever woken, one at a time, until finished."""

    def __init__(self, store: PollStore, clock: Callable[[], datetime]) -> None:
        """Start the loop; it sleeps until `wake`."""
        self.store = store
        self.clock = clock
        self.decided = 0
        self._wake = asyncio.Event()
        self._finishing = False
        self._task = asyncio.create_task(self._run(), name="story threading")

    def wake(self) -> None:
        """New articles were stored: thread them soon."""
        self._wake.set()

    async def finish(self) -> int:
        """Thread what is still queued, stop, and return how many articles were threaded."""
        self._finishing = True
        self._wake.set()
        await self._task
        return self.decided

    async def cancel(self) -> None:
        """Stop at once (the cycle was cancelled); what is queued waits for the next cycle."""
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        """Each wake-up threads everything queued; the last one follows `finish`."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._step()
            if self._finishing and not self._wake.is_set():
                return

    async def _step(self) -> None:
        """One round of threading; a failure leaves the articles queued for the next."""
        try:
            self.decided += (await self.store.thread_stories(now=self.clock())).decided
        except UNAVAILABLE as exc:  # the database is down or failing: no traceback
            log.warning("stories not threaded now (%s); the articles wait for the next cycle", exc)
        except Exception:
            log.exception("threading stories failed; the articles wait for the next cycle")


async def load_stories(store: PollStore, now: datetime, window_hours: int) -> None:
    """Build the threader from the database and thread what waits, before the first poll."""
    try:
        loaded = await store.thread_stories(now=now)
    except Exception as exc:  # the first cycle's threading tries again
        log.warning("stories not loaded at start (the first poll will): %s", exc)
        return
    log.log(
        logging.INFO if loaded.restored or loaded.decided else logging.DEBUG,
        "stories: %d reports of the last %d h restored, %d waiting articles threaded",
        loaded.restored,
        window_hours,
        loaded.decided,
    )
