"""The composition root: builds every service once and runs them.

`Marsad` owns the store, the HTTP session, the parser processes, the topic rules, the
poller, the outbox and (with a token) the Telegram application, and schedules the jobs
of bot.jobs' table. Nothing is built at import time; tests build a `Marsad` with their
own settings, clock and stream.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder

from bot import __version__, jobs
from bot.delivery.limiter import CommandPace, ReplyLimiter, ReplyPace
from bot.delivery.outbox import CONSOLE_CHAT_ID, ConsoleSender, Outbox
from bot.delivery.send import Pace, SendQueue, Spacer
from bot.errors import FeedListError, TokenRefused
from bot.feeds.feedlist import FeedSpec, read_feed_list
from bot.feeds.fetch import FetchLimits, log_feeds_route, make_session
from bot.feeds.netpolicy import AddressPolicy, mask_credentials
from bot.feeds.parse import ParserPool
from bot.health import instance_name
from bot.logsafe import log_setup
from bot.models import StoreStats
from bot.pipeline import CycleReport, Poller, PollPolicy
from bot.services import feeds as feeds_service
from bot.storage import Store
from bot.storage.protocols import AuditedFeedStore
from bot.storage.threads import StoryOptions
from bot.storyloop import load_stories
from bot.telegram_route import log_telegram_route, telegram_request
from bot.topics import TopicEngine
from config import TOPICS_FILE
from config.settings import Settings
from handlers import ROUTING

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


async def import_feed_list(
    store: AuditedFeedStore, specs: list[FeedSpec], *, source: str, now: datetime
) -> int:
    """Add a feeds file's new feeds; log each refused one; return how many were added."""
    report = await feeds_service.import_feeds(store, specs, actor=None, now=now)
    for url in report.refused:
        log.warning(
            "feed %r from %s skipped: only http(s) URLs are fetched", mask_credentials(url), source
        )
    if report.added:
        log.info("added %d feeds from %s", len(report.added), source)
    return len(report.added)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How this process runs: console output, parser workers, fetch limits, polling."""

    console: str | None = None  # "text" or "jsonl": print alerts instead of sending them
    parser_workers: int = 2
    limits: FetchLimits = field(default_factory=FetchLimits)
    pace: Pace = field(default_factory=Pace)
    commands: CommandPace = field(default_factory=CommandPace)  # each user's command pace
    replies: ReplyPace = field(default_factory=ReplyPace)  # command replies per chat
    # The settings' interval and new-items cap replace those of this policy.
    policy: PollPolicy = field(default_factory=PollPolicy)


class Marsad:
    """Every service of one running Marsad."""

    def __init__(
        self,
        settings: Settings,
        *,
        options: RunOptions = RunOptions(),
        clock: Clock = utc_now,
        stream: TextIO | None = None,
    ) -> None:
        """Build the services; `start()` opens them."""
        self.settings = settings
        self.options = options
        self.clock = clock
        # The story threader lives in a worker process of its own: its CPU time stays off
        # the event loop's core, and the store rebuilds it if the worker is lost.
        self.story_worker = ParserPool(1, log_setup=log_setup(settings))
        stories = StoryOptions(
            timedelta(hours=settings.story_window_hours), run=self.story_worker.run
        )
        self.store = Store.from_url(settings.database_url_plain, stories=stories)
        self.topics = TopicEngine(self.store)
        self.parsers = ParserPool(options.parser_workers, log_setup=log_setup(settings))
        feeds_proxy = settings.feeds_proxy.get_secret_value() if settings.feeds_proxy else None
        self.session = make_session(
            options.limits, AddressPolicy(settings.fetch_allow_networks), proxy=feeds_proxy
        )
        log_feeds_route(feeds_proxy, os.environ)
        self.console = options.console or ("text" if settings.telegram_bot_token is None else None)
        sender = ConsoleSender(stream or sys.stdout, self.console or "text")
        self.poller = Poller(
            self.store,
            self.session,
            self.parsers,
            rules=lambda: self.topics.rules,
            clock=clock,
            policy=replace(
                options.policy,
                interval=float(settings.poll_interval),
                new_items_cap=settings.feed_new_items_cap,
            ),
            limits=options.limits,
            on_first_poll=sender.show_first_poll if self.console else None,
        )
        self.outbox = Outbox(self.store, sender, clock=clock)
        # Telegram's overall limit, shared by alert deliveries and command replies.
        self.overall_pace = Spacer(options.pace.global_interval, time.monotonic, asyncio.sleep)
        self.telegram = None if self.console else self._build_telegram()
        self.send_queue = (
            SendQueue(
                self.store,
                self.telegram.bot,
                clock=clock,
                pace=options.pace,
                spacer=self.overall_pace,
                topics=self.topics,
            )
            if self.telegram
            else None
        )
        self.telegram_ready = asyncio.Event()
        self.instance = instance_name()
        self.scheduler: AsyncIOScheduler | None = None
        self._telegram_task: asyncio.Task[None] | None = None
        self._running_jobs: set[asyncio.Task[object]] = set()
        self._stopping = False

    def _build_telegram(self) -> Application:  # type: ignore[type-arg]
        """The python-telegram-bot Application, with Marsad's routes and services."""
        assert self.settings.telegram_bot_token is not None
        api_url = self.settings.telegram_api_url
        file_url = api_url[: -len("bot")] + "file/bot" if api_url.endswith("bot") else api_url
        builder = (
            ApplicationBuilder()
            .token(self.settings.telegram_bot_token.get_secret_value())
            .base_url(api_url)
            .base_file_url(file_url)
            .job_queue(None)  # Marsad schedules its own jobs (see _schedule)
            .rate_limiter(ReplyLimiter(self.options.replies, overall=self.overall_pace))
            .request(telegram_request(self.settings.telegram_proxy, pool=256))
            .get_updates_request(telegram_request(self.settings.telegram_proxy, pool=1))
        )
        log_telegram_route(self.settings.telegram_proxy, os.environ)
        return ROUTING.build(builder, self, self.options.commands)

    async def start(self) -> None:
        """Start the workers and, meanwhile, prepare the database."""
        # The workers import the parsing and classification code while the database migrates,
        # so the first cycle does not wait for them.
        pids, _ = await asyncio.gather(self.parsers.warm_up(), self._prepare_database())
        log.debug("worker processes: %s", pids)
        await load_stories(self.store, self.clock(), self.settings.story_window_hours)
        log.info("%s", self.banner(await self.store.stats()))

    def banner(self, stats: StoreStats) -> str:
        """What a newcomer needs to know at start: database, mode, feeds, polling."""
        if self.telegram is not None:
            mode = "Telegram: alerts go to the chats that subscribed"
        elif self.settings.telegram_bot_token is not None:
            mode = f"console ({self.console}, from --console): alerts are printed, not sent"
        else:
            mode = (
                "console: TELEGRAM_BOT_TOKEN is not set, so alerts are printed here; to send "
                "them through Telegram, set it (from @BotFather) in .env or the environment"
            )
        return "\n".join(
            [
                f"Marsad {__version__} starting",
                f"  database: {self.settings.database_url_safe}",
                f"  mode:     {mode}",
                f"  feeds:    {stats.feeds_active} active of {stats.feeds}, "
                f"each polled every {self.settings.poll_interval} s (POLL_INTERVAL)",
            ]
        )

    async def _prepare_database(self) -> None:
        """Wait for the database, migrate, seed the topics, load the rules, add the feeds."""
        await self.store.wait_until_reachable(self.settings.database_connect_timeout)
        await self.store.migrate()
        now = self.clock()
        topics_text = await asyncio.to_thread(TOPICS_FILE.read_text, encoding="utf-8")
        await self.topics.seed(topics_text, now=now)
        await self.topics.load()
        if self.settings.feeds_file is not None:
            await self.import_feeds_file(self.settings.feeds_file)
        await self._set_console_destination()

    async def import_feeds_file(self, path: Path) -> int:
        """Add a list's feeds that are new, skipping any an admin removed; return how many."""
        try:
            specs = read_feed_list(path)
        except FeedListError as exc:
            log.error("feeds file %s not used: %s", path, exc)
            return 0
        return await import_feed_list(self.store, specs, source=str(path), now=self.clock())

    async def _set_console_destination(self) -> None:
        """In console mode, one destination subscribed to every topic receives all alerts."""
        now = self.clock()
        await self.store.upsert_chat(CONSOLE_CHAT_ID, kind="console", title="console", now=now)
        if self.console:
            topic_ids = [d["id"] for d in await self.store.topic_definitions()]
            await self.store.subscribe(CONSOLE_CHAT_ID, topic_ids, now=now)
        else:
            await self.store.deactivate_chat(CONSOLE_CHAT_ID, reason="running with Telegram")

    async def cycle(self) -> CycleReport:
        """Poll due feeds, deliver what they produced, and tell admins of catch-ups."""
        return await jobs.cycle(self)

    async def deliver(self) -> int:
        """Send pending alerts to Telegram (once it answers) or print them; return how many."""
        return await jobs.deliver(self)

    async def run_once(self) -> CycleReport:
        """Start, run one cycle over every due feed, deliver, and close."""
        try:
            await self.start()
            if self.telegram is not None:
                await self._connect_telegram(attempts=3)
            report = await self.cycle()
            # One run has no later: let article pages finish (each feed's budget bounds
            # them) and deliver what their topics added.
            await self.poller.pages.join()
            await self.deliver()
            return report
        finally:
            await self.close()

    async def _connect_telegram(self, *, attempts: int | None = None) -> None:
        """Initialise the bot, retrying while the Bot API is unreachable."""
        assert self.telegram is not None
        delay, tried = 1.0, 0
        while True:
            try:
                await self.telegram.initialize()
                break
            except InvalidToken:
                raise TokenRefused() from None  # its message quotes the token
            except NetworkError as exc:
                tried += 1
                if attempts is not None and tried >= attempts:
                    log.error("Telegram unreachable (%s); alerts stay pending", exc)
                    return
                log.warning("Telegram unreachable (%s); retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
        self.telegram_ready.set()
        log.info("connected to Telegram as @%s", self.telegram.bot.username)

    async def start_telegram(self) -> None:
        """Connect, then answer commands by long polling until stopped."""
        assert self.telegram is not None and self.telegram.updater is not None
        await self._connect_telegram()
        await ROUTING.publish_menus(self)
        await self.telegram.start()
        await self.telegram.updater.start_polling(allowed_updates=Update.ALL_TYPES)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Run the scheduled jobs until stop is set."""
        try:
            await self.start()
            self.scheduler = self._schedule()
            self.scheduler.start()
            if self.telegram is not None:
                self._telegram_task = asyncio.create_task(self.start_telegram(), name="telegram")
            log.info("running; stop with Ctrl-C (or SIGTERM)")
            await self._until_stopped(stop)
        finally:
            await self.close()

    async def _until_stopped(self, stop: asyncio.Event) -> None:
        """Wait for stop; a failed Telegram start (a refused token) ends the run with its error."""
        stopped = asyncio.create_task(stop.wait(), name="stop")
        try:
            telegram = self._telegram_task
            if telegram is not None:
                await asyncio.wait({stopped, telegram}, return_when=asyncio.FIRST_COMPLETED)
                error = (
                    telegram.exception() if telegram.done() and not telegram.cancelled() else None
                )
                if error is not None:
                    raise error
            await stopped
        finally:
            stopped.cancel()

    def _schedule(self, table: Sequence[jobs.Job] = jobs.SCHEDULE) -> AsyncIOScheduler:
        """The schedule table's jobs, by name; they never overlap and never skip silently."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        # misfire_grace_time=None: a late run still runs (PTB's one-second default would
        # skip it when the loop stalls); coalesce: several missed runs become one.
        common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        for job in table:
            first = {"next_run_time": datetime.now(UTC)} if job.at_start else {}
            scheduler.add_job(
                self._run_job,
                "interval",
                args=[partial(job.run, self)],
                seconds=job.interval(self.settings),
                id=job.name,
                name=job.name,
                **first,
                **common,
            )
        return scheduler

    async def _run_job(self, job: Callable[[], Awaitable[None]]) -> None:
        """Run one scheduled job so that `close` can stop it mid-way without an error.

        APScheduler's shutdown cancels running jobs and logs each as failed with a
        traceback; `close` cancels them first, and a job cancelled on purpose ends quietly.
        """
        task = asyncio.current_task()
        if self._stopping or task is None:
            return
        self._running_jobs.add(task)
        try:
            await job()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
        finally:
            self._running_jobs.discard(task)

    async def close(self) -> None:
        """Stop jobs (a cycle under way is cancelled) and release every resource."""
        self._stopping = True
        running = list(self._running_jobs)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self._stop_telegram()
        await self.poller.pages.close()  # before the session and workers they use
        await self.session.close()
        self.parsers.close()
        await self.store.close()
        self.story_worker.close()

    async def _stop_telegram(self) -> None:
        """Stop polling Telegram and release the bot's HTTP client."""
        if self._telegram_task is not None:
            self._telegram_task.cancel()
            await asyncio.gather(self._telegram_task, return_exceptions=True)
        app = self.telegram
        if app is None:
            return
        await ROUTING.stop(app)
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
