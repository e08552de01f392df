"""One poll cycle: fetch -> parse -> dedupe -> classify -> store (with the outbox rows),
and the stored articles threaded into stories alongside (bot.storyloop).

Each feed's failure is its own: expected failures become values and a log line, and a
bug in one feed's processing is logged with its traceback without stopping the others.
Article pages (the full_text option) are fetched after the cycle, in the background
(`PageCompleter`), so a slow publisher never holds the cycle.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import aiohttp

from bot.classify import Rules, prepare_entries
from bot.feeds.article import LEDE_ONLY_CHARS, better_text, extract_main_text
from bot.feeds.feedlist import is_http_url
from bot.feeds.fetch import FetchLimits, fetch_feed
from bot.feeds.hints import next_interval
from bot.feeds.netpolicy import mask_credentials
from bot.feeds.parse import ParserPool
from bot.models import Feed, FetchResult, FetchStatus, NewArticle, PollSuccess
from bot.storage.protocols import PollStore
from bot.storyloop import StoryLoop

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
CurrentRules = Callable[[], Rules]
# Shown what a feed's first poll found (the console's preview); the feed carries its title.
FirstPollHook = Callable[[Feed, Sequence[NewArticle]], None]


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often feeds are polled and when a failing one is paused."""

    interval: float = 300.0  # POLL_INTERVAL, seconds
    pause_after: timedelta = timedelta(days=3)
    concurrency: int = 50  # feeds in flight at once
    new_items_cap: int = 50  # FEED_NEW_ITEMS_CAP: more new items in one poll are a catch-up
    progress_every: float = 10.0  # seconds between progress lines of a long cycle
    pages_per_host: int = 2  # article pages fetched at once from one host
    page_budget: float = 120.0  # seconds one feed's pages of one poll may take, in all
    max_pending_pages: int = 1000  # pages waiting beyond this drop the oldest


@dataclass(slots=True)
class CycleReport:
    """What one cycle did, for logs, /stats and benchmarks."""

    feeds: int = 0
    polled: int = 0  # feeds done so far, whatever the outcome
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    duplicates: int = 0
    deliveries: int = 0
    catch_ups: int = 0  # feeds that listed more new items than the cap
    pages: int = 0  # article pages handed to the background
    stories: int = 0  # stored articles given their story
    seconds: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)  # feed URL -> reason


class Poller:
    """Polls due feeds; one cycle at a time."""

    def __init__(
        self,
        store: PollStore,
        session: aiohttp.ClientSession,
        parsers: ParserPool,
        *,
        rules: CurrentRules,
        clock: Clock,
        policy: PollPolicy = PollPolicy(),
        limits: FetchLimits | None = None,
        rng: random.Random | None = None,
        on_first_poll: FirstPollHook | None = None,
    ) -> None:
        """Keep the collaborators; nothing runs until `run_cycle`."""
        self.store = store
        self.session = session
        self.parsers = parsers
        self.rules = rules  # the live topic rules, sent along with each body to parse
        self.clock = clock
        self.policy = policy
        self.limits = limits or FetchLimits()
        self.rng = rng or random.Random()
        self.on_first_poll = on_first_poll
        self.pages = PageCompleter(
            store, session, parsers, rules=rules, clock=clock, limits=self.limits, policy=policy
        )
        self._lock = asyncio.Lock()
        self.last_report: CycleReport | None = None

    async def run_cycle(self) -> CycleReport:
        """Poll every due feed once; a cycle never overlaps the previous one."""
        async with self._lock:
            started = time.perf_counter()
            report = CycleReport()
            feeds = await self.store.due_feeds(self.clock())
            report.feeds = len(feeds)
            gate = asyncio.Semaphore(self.policy.concurrency)
            stories = StoryLoop(self.store, self.clock)

            async def guarded(feed: Feed) -> None:
                stored = report.new_articles
                async with gate:
                    await self._poll_safely(feed, report)
                report.polled += 1
                if report.new_articles > stored:
                    stories.wake()

            progress = asyncio.create_task(self._log_progress(report), name="cycle progress")
            try:
                await asyncio.gather(*(guarded(feed) for feed in feeds))
                report.stories = await stories.finish()
            finally:
                progress.cancel()
                await asyncio.gather(progress, return_exceptions=True)
                await stories.cancel()
            report.seconds = time.perf_counter() - started
            self.last_report = report
            # An idle tick (nothing due) is routine; a cycle that polled something is news.
            log.log(
                logging.INFO if report.feeds else logging.DEBUG,
                "cycle: %d feeds, %d fetched, %d unchanged, %d failed, %d new, %d alerts in %.1fs",
                report.feeds,
                report.fetched,
                report.not_modified,
                report.failed,
                report.new_articles,
                report.deliveries,
                report.seconds,
            )
            return report

    async def _log_progress(self, report: CycleReport) -> None:
        """Log how far the cycle has got every `progress_every` seconds, until cancelled."""
        while True:
            await asyncio.sleep(self.policy.progress_every)
            log.info(
                "cycle progress: %d/%d feeds polled, %d new, %d failed",
                report.polled,
                report.feeds,
                report.new_articles,
                report.failed,
            )

    async def _poll_safely(self, feed: Feed, report: CycleReport) -> None:
        """Poll one feed; a bug here is logged with its traceback and costs only this feed."""
        try:
            await self.poll_feed(feed, report)
        except Exception as exc:
            log.exception(
                "internal error while polling feed %d (%s)", feed.id, mask_credentials(feed.url)
            )
            try:
                await self._fail(feed, report, f"internal error: {type(exc).__name__}", None)
            except Exception:  # the database itself may be what failed; the next cycle retries
                log.warning("could not record the failure of feed %d", feed.id)

    async def poll_feed(self, feed: Feed, report: CycleReport) -> None:
        """Fetch, parse, dedupe, classify and store one feed."""
        result = await fetch_feed(
            self.session,
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            limits=self.limits,
            admin_typed=True,  # feed addresses come from admins; redirects never store userinfo
        )
        if result.status is FetchStatus.ERROR:
            await self._fail(feed, report, result.error or "fetch failed", result)
            return
        if result.status is FetchStatus.NOT_MODIFIED:
            report.not_modified += 1
            await self.store.record_poll(feed, self._success(feed, result, not_modified=True))
            return
        # Parsed and classified in one worker round trip; the few entries that turn out to
        # be known were classified for nothing, which costs less than a second trip.
        parsed = await self.parsers.parse(
            result.body, result.headers, result.url, now=self.clock(), rules=self.rules()
        )
        if parsed.error:
            await self._fail(feed, report, parsed.error, result)
            return
        if parsed.warning:
            log.warning(
                "feed %d (%s) is malformed but kept: %s",
                feed.id,
                mask_credentials(feed.url),
                parsed.warning,
            )
        report.fetched += 1
        success = self._success(feed, result, title=parsed.title, ttl=parsed.ttl_seconds)
        await self._store(feed, [_with_link_key(feed, a) for a in parsed.articles], report, success)

    async def _store(
        self, feed: Feed, articles: Sequence[NewArticle], report: CycleReport, success: PollSuccess
    ) -> None:
        """Store what the database has not seen, with its alerts and the fetch.

        The store skips what it has seen, in the same transaction. Lede-only articles of a
        full-text feed are stored (and alert) as they are, then completed in the background.
        """
        # A new feed's first poll catches up quietly, but for its newest few if configured.
        alert: bool | int = True if feed.polled_once else feed.first_poll_alerts
        batch = await self.store.add_articles(
            feed,
            articles,
            now=self.clock(),
            alert=alert,
            cap=self.policy.new_items_cap,
            success=success,
        )
        report.new_articles += len(batch.article_ids)
        report.duplicates += batch.duplicates
        report.deliveries += batch.deliveries
        report.catch_ups += batch.catch_up
        if not feed.polled_once and articles and self.on_first_poll is not None:
            self.on_first_poll(replace(feed, title=feed.title or success.title), articles)
        if feed.full_text:
            pages = [
                Page(article_id, article, alerted=article_id in batch.alerted)
                for article_id, article in zip(batch.article_ids, batch.articles, strict=True)
                if _lede_only(article)
            ]
            report.pages += len(pages)
            self.pages.submit(pages)

    def _success(
        self,
        feed: Feed,
        result: FetchResult,
        *,
        not_modified: bool = False,
        title: str | None = None,
        ttl: float | None = None,
    ) -> PollSuccess:
        """A good fetch, with the next check scheduled from the server's hints."""
        now = self.clock()
        interval = next_interval(
            base=self._base(feed),
            ceiling=max(feed.max_interval, self._base(feed)),
            ttl=ttl,
            max_age=result.max_age,
            retry_after=None,
            error_streak=0,
            jitter=self.rng.random(),
        )
        return PollSuccess(
            now=now,
            next_check_at=now + timedelta(seconds=interval),
            not_modified=not_modified,
            etag=result.etag,
            last_modified=result.last_modified,
            title=title,
            new_url=result.permanent_url,
        )

    async def _fail(
        self, feed: Feed, report: CycleReport, error: str, result: FetchResult | None
    ) -> None:
        """Record a failure: one log line, exponential backoff, Retry-After honoured."""
        report.failed += 1
        report.errors[feed.url] = error
        log.warning("feed %d failed: %s: %s", feed.id, mask_credentials(feed.url), error)
        now = self.clock()
        interval = next_interval(
            base=self._base(feed),
            ceiling=max(feed.max_interval, self._base(feed)),
            ttl=None,
            max_age=None,
            retry_after=result.retry_after if result else None,
            error_streak=feed.error_streak + 1,
            jitter=self.rng.random(),
        )
        await self.store.record_failure(
            feed,
            now=now,
            next_check_at=now + timedelta(seconds=interval),
            error=error,
            pause_after=self.policy.pause_after,
        )

    def _base(self, feed: Feed) -> float:
        """The feed's own interval, else the configured one."""
        return float(feed.poll_interval or self.policy.interval)


def _lede_only(article: NewArticle) -> bool:
    """Whether an article is short enough to be worth completing from a page it links to."""
    entry = article.entry
    # A link-less item carries a urn: stand-in by now (_with_link_key): no page to fetch.
    return len(entry.text) < LEDE_ONLY_CHARS and is_http_url(entry.url)


@dataclass(frozen=True, slots=True)
class Page:
    """A stored lede-only article waiting for the text of its page."""

    article_id: int
    article: NewArticle
    alerted: bool  # whether the article alerted: topics its page adds alert too


class PageCompleter:
    """Completes stored lede-only articles from their pages in the background, bounded.

    A few pages at once per host, a time budget per feed's poll, and at most
    `max_pending_pages` pending (the oldest is dropped). A page not completed, for whatever
    reason, leaves its article with the lede it was stored with: nothing is lost.
    """

    def __init__(
        self,
        store: PollStore,
        session: aiohttp.ClientSession,
        parsers: ParserPool,
        *,
        rules: CurrentRules,
        clock: Clock,
        limits: FetchLimits,
        policy: PollPolicy,
    ) -> None:
        """Keep the collaborators; pages start with `submit`."""
        self.store = store
        self.session = session
        self.parsers = parsers
        self.rules = rules
        self.clock = clock
        self.limits = limits
        self.policy = policy
        self._pending: dict[asyncio.Task[None], str] = {}  # oldest first, with their URLs
        self._dropped: set[asyncio.Task[None]] = set()  # cancelled, still unwinding
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._host_users: Counter[str] = Counter()

    def submit(self, pages: Sequence[Page]) -> None:
        """Start completing one feed's pages, within one time budget; returns at once."""
        if not pages:
            return
        deadline = asyncio.get_running_loop().time() + self.policy.page_budget
        for page in pages:
            task = asyncio.create_task(self._complete(page, deadline), name="article page")
            self._pending[task] = mask_credentials(page.article.entry.url)  # for logs only
            task.add_done_callback(self._forget)
        while len(self._pending) > self.policy.max_pending_pages:
            oldest, url = next(iter(self._pending.items()))
            log.warning("too many article pages pending; dropped the oldest, lede kept: %s", url)
            del self._pending[oldest]
            self._dropped.add(oldest)
            oldest.cancel()

    @property
    def pending(self) -> int:
        """How many pages are waiting or in progress."""
        return len(self._pending)

    async def join(self) -> None:
        """Wait until every page submitted so far is done (completed, failed or out of time)."""
        while tasks := [*self._pending, *self._dropped]:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        """Cancel every pending page and wait for them; their articles keep their ledes."""
        for task in self._pending:
            task.cancel()
        await self.join()

    def _forget(self, task: asyncio.Task[None]) -> None:
        """A finished page leaves the books."""
        self._pending.pop(task, None)
        self._dropped.discard(task)

    async def _complete(self, page: Page, deadline: float) -> None:
        """Fetch, extract and classify one page within the feed's budget, then store it."""
        url = page.article.entry.url
        shown = mask_credentials(url)
        try:
            async with asyncio.timeout_at(deadline), self._host_slot(url):
                completed = await self._completed(page.article)
            if completed is not None:  # written outside the budget: a write is never cut short
                await self.store.complete_article(
                    page.article_id, completed, now=self.clock(), alert=page.alerted
                )
        except TimeoutError:
            log.info("article page not fetched within its feed's time budget: %s", shown)
        except Exception:  # a bug or a database error costs this page only
            log.exception("completing the article from %s failed; it keeps its lede", shown)

    @asynccontextmanager
    async def _host_slot(self, url: str) -> AsyncIterator[None]:
        """One of the few page fetches allowed at once to this URL's host."""
        host = urlsplit(url).hostname or ""
        gate = self._hosts.setdefault(host, asyncio.Semaphore(self.policy.pages_per_host))
        self._host_users[host] += 1
        try:
            async with gate:
                yield
        finally:
            self._host_users[host] -= 1
            if not self._host_users[host]:  # no page of that host left: forget it
                del self._host_users[host], self._hosts[host]

    async def _completed(self, article: NewArticle) -> NewArticle | None:
        """The article with its page's main text, classified again; None if no better."""
        entry = article.entry
        page = await fetch_feed(self.session, entry.url, limits=self.limits)
        if page.status is not FetchStatus.OK:
            log.info(
                "article page not used: %s: %s",
                mask_credentials(entry.url),
                page.error or page.status,
            )
            return None
        text = better_text(entry.text, await self.parsers.run(extract_main_text, page.body))
        if text == entry.text:
            return None
        completed = [replace(entry, text=text)]
        return (await self.parsers.run(prepare_entries, self.rules(), completed))[0]


def _with_link_key(feed: Feed, article: NewArticle) -> NewArticle:
    """An entry without an http(s) link gets a unique stand-in, so it cannot collide.

    Articles are unique by URL; a stand-in that is not http(s) is never shown as a link.
    """
    entry = article.entry
    if entry.url:
        return article
    return replace(article, entry=replace(entry, url=f"urn:marsad:{feed.id}:{entry.key}"))
