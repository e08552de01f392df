"""Marsad's scheduled work: the schedule table and every job it names.

`SCHEDULE` is the whole timetable. Each `Job` names one job (its scheduler id), how often
it runs and the coroutine that runs it; `Marsad` registers exactly these, never
overlapping and never skipped silently. The poll job's cycle also delivers and tells
admins of catch-ups, so they go out as soon as a cycle finds them.

Every message a job sends to Telegram goes through the send queue: alerts, digests and
admins' reports alike get its pacing, its 429 waits and retries, and a chat that blocked
the bot is deactivated whatever the message was. Without Telegram (console mode) alerts
are printed and admins' reports are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from bot.admintext import catch_up_report, failing_feeds_report
from bot.delivery.send import DrainReport
from bot.digest import send_due_digests
from bot.feeds.netpolicy import mask_credentials
from bot.models import Heartbeat, Message
from bot.pipeline import CycleReport
from bot.services import feeds as feeds_service
from bot.services.admins import all_admins
from config.settings import Settings

if TYPE_CHECKING:
    from bot.app import Marsad

log = logging.getLogger(__name__)

# The poll job looks for due feeds this often at most; each feed keeps its own next check.
MAX_TICK_SECONDS = 30.0
DELIVERY_TICK_SECONDS = 2.0
FAILING_FEEDS_TICK_SECONDS = 3600.0  # feeds are reported after a day of failures
DIGEST_TICK_SECONDS = 60.0  # digest slots are whole minutes
# Grown story alerts are looked at this often; the store lets each be edited once a minute.
STORY_EDIT_TICK_SECONDS = 15.0

Interval = Callable[[Settings], float]  # seconds between runs, from the settings


@dataclass(frozen=True, slots=True)
class Job:
    """One scheduled job: its name, how often it runs and the coroutine it runs."""

    name: str
    interval: Interval
    run: Callable[[Marsad], Awaitable[None]]
    at_start: bool = False  # first run when the scheduler starts, not one interval later


def every(seconds: float) -> Interval:
    """A fixed interval, whatever the settings."""
    return lambda _settings: seconds


def poll_tick(settings: Settings) -> float:
    """The poll job's interval: POLL_INTERVAL, but at least every MAX_TICK_SECONDS."""
    return min(float(settings.poll_interval), MAX_TICK_SECONDS)


def describe_cycle(report: CycleReport) -> str:
    """A poll heartbeat's detail."""
    return f"{report.feeds} feeds, {report.new_articles} new, {report.failed} failed"


async def heartbeat(marsad: Marsad, loop: str, detail: str) -> None:
    """Record that a loop made progress (`python -m bot health` reads it); never raises."""
    beat = Heartbeat(loop, marsad.instance, marsad.clock(), detail)
    try:
        await marsad.store.record_heartbeat(beat)
    except Exception as exc:  # a missed heartbeat must not stop polling or delivery
        log.warning("%s heartbeat not recorded: %s", loop, exc)


async def cycle(marsad: Marsad) -> CycleReport:
    """Poll due feeds, deliver what they produced, and tell admins of catch-ups."""
    report = await marsad.poller.run_cycle()
    await heartbeat(marsad, "poll", describe_cycle(report))
    await deliver(marsad)
    await report_catch_ups(marsad)
    return report


async def deliver(marsad: Marsad) -> int:
    """Send pending alerts to Telegram (once it answers) or print them; return how many."""
    if marsad.send_queue is None:
        sent = await marsad.outbox.drain()
    elif not marsad.telegram_ready.is_set():
        await heartbeat(marsad, "deliver", "waiting for Telegram")
        return 0
    else:
        sent = (await marsad.send_queue.drain()).sent
    await heartbeat(marsad, "deliver", f"{sent} sent")
    return sent


async def edit_stories(marsad: Marsad) -> int:
    """Edit grown story alerts in place through the send queue; how many went out."""
    if marsad.send_queue is None or not marsad.telegram_ready.is_set():
        return 0  # the console prints each alert once; nothing to edit
    edited = (await marsad.send_queue.edit_stories()).messages
    await heartbeat(marsad, "story_edits", f"{edited} edited")
    return edited


async def story_edits_job(marsad: Marsad) -> None:
    """The story-update job: a failed run is logged and the next tick tries again."""
    try:
        await edit_stories(marsad)
    except Exception:
        log.exception("story alert edits failed; retrying at the next tick")


async def poll_job(marsad: Marsad) -> None:
    """The poll job: a failing cycle is logged and the next tick tries again."""
    try:
        await cycle(marsad)
    except Exception:
        log.exception("poll cycle failed; retrying at the next tick")


async def deliver_job(marsad: Marsad) -> None:
    """The delivery job: retries what a failed send left pending."""
    try:
        await deliver(marsad)
    except Exception:
        log.exception("delivery failed; retrying at the next tick")


async def digest_job(marsad: Marsad) -> None:
    """The digest job: send due digests once Telegram answers; log failures, never raise."""
    if marsad.send_queue is None or not marsad.telegram_ready.is_set():
        return
    try:
        await send_due_digests(marsad.send_queue, now=marsad.clock())
    except Exception:
        log.exception("digest job failed; retrying at the next tick")


async def failing_feeds_job(marsad: Marsad) -> None:
    """The failing-feeds job: a failed report is retried at the next tick."""
    try:
        await report_failing_feeds(marsad)
    except Exception:
        log.exception("failing-feeds report failed; retrying at the next tick")


def _waiting_for_telegram(marsad: Marsad) -> bool:
    """Telegram mode before the bot has connected: reports wait, nothing is marked told."""
    return marsad.send_queue is not None and not marsad.telegram_ready.is_set()


async def report_failing_feeds(marsad: Marsad) -> int:
    """Tell every admin, once per failing spell, about feeds failing for days; return how many."""
    if _waiting_for_telegram(marsad):
        return 0
    now = marsad.clock()
    items = await feeds_service.feeds_to_report(marsad.store, now=now)
    if not items:
        return 0
    urls = [mask_credentials(h.feed.url) for h in items]
    await tell_admins(marsad, partial(failing_feeds_report, items), "feeds failing for days", urls)
    await marsad.store.flag_feeds((h.feed.id for h in items), now=now)
    return len(items)


async def report_catch_ups(marsad: Marsad) -> int:
    """Tell every admin, once, of feeds that listed more new items than the cap; how many."""
    if _waiting_for_telegram(marsad):
        return 0
    items = await marsad.store.untold_catch_ups()
    if not items:
        return 0
    names = [mask_credentials(item.name) for item in items]
    await tell_admins(marsad, partial(catch_up_report, items), "feed catch-ups", names)
    # Recorded after telling: a crash in between tells admins twice, never not at all.
    await marsad.store.mark_catch_ups_told(items[-1].id, now=marsad.clock())
    return len(items)


async def tell_admins(
    marsad: Marsad, texts: Callable[[str], list[str]], about: str, summary: Sequence[str]
) -> None:
    """Send every admin a report in their chat's language (Arabic by default); log it
    instead without Telegram. A refusal is logged and the other admins are still told."""
    queue = marsad.send_queue
    for admin_id in await all_admins(marsad.store, marsad.settings.admin_ids):
        if queue is None:
            log.warning("%s (admin %d): %s", about, admin_id, list(summary))
            continue
        language = await marsad.store.chat_language(admin_id) or "ar"
        # A report settles no delivery; the queue sends it as it sends an alert.
        messages = [Message(text, ()) for text in texts(language)]
        if not await queue.serve((admin_id, 0), messages, DrainReport()):
            log.warning("could not tell admin %d about %s", admin_id, about)


SCHEDULE: tuple[Job, ...] = (
    Job("poll", poll_tick, poll_job, at_start=True),
    Job("deliver", every(DELIVERY_TICK_SECONDS), deliver_job),
    Job("failing_feeds", every(FAILING_FEEDS_TICK_SECONDS), failing_feeds_job),
    Job("digest", every(DIGEST_TICK_SECONDS), digest_job),
    Job("story_edits", every(STORY_EDIT_TICK_SECONDS), story_edits_job),
)
