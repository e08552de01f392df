"""Feeds managed by admins: validate before adding, pause, resume, remove, import, health."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp

from bot.feeds.feedlist import FeedSpec, is_http_url
from bot.feeds.fetch import FetchLimits, fetch_feed
from bot.feeds.parse import ParserPool
from bot.models import Feed, FeedHealth, FeedOptions, FetchStatus
from bot.storage.protocols import AuditedFeedStore, FeedStore
from classifiers import detect_language

# Items per day are counted over this window (or the feed's age when it is younger).
HEALTH_WINDOW = timedelta(days=7)
# A feed failing this long is reported to admins, once per failing spell.
REPORT_FAILING_AFTER = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Probe:
    """What one validating fetch of a candidate feed found."""

    title: str | None = None
    items: int = 0
    language: str | None = None
    error: str | None = None  # one readable line when it is not a usable feed


@dataclass(slots=True)
class ImportReport:
    """What an import of a feed list did with each listed feed."""

    added: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    removed_before: list[str] = field(default_factory=list)  # removed by an admin: not re-added
    refused: list[str] = field(default_factory=list)  # not http(s)


def _feed_record(feed: Feed) -> dict[str, object]:
    """The audit log's picture of a feed."""
    return {"id": feed.id, "url": feed.url, "title": feed.title, "active": feed.active}


async def probe_feed(
    session: aiohttp.ClientSession,
    parsers: ParserPool,
    url: str,
    *,
    limits: FetchLimits,
    now: datetime,
) -> Probe:
    """Fetch and parse a URL once; say why it is not a feed when it is not."""
    if not is_http_url(url):
        return Probe(error="only http:// and https:// feed addresses are accepted")
    result = await fetch_feed(session, url, limits=limits, admin_typed=True)
    if result.status is FetchStatus.ERROR:
        return Probe(error=result.error or "the fetch failed")
    if result.status is FetchStatus.NOT_MODIFIED:  # cannot happen without validators
        return Probe(error="the server answered 304 Not Modified to a plain request")
    parsed = await parsers.parse(result.body, result.headers, result.url, now=now)
    if parsed.error:
        return Probe(error=parsed.error)
    languages = Counter(e.language for e in parsed.entries if e.language)
    language = languages.most_common(1)[0][0] if languages else None
    if language is None and parsed.entries:
        language = detect_language(" ".join(e.title for e in parsed.entries[:20]))
    return Probe(parsed.title, len(parsed.entries), language)


async def add_feed(
    store: AuditedFeedStore, url: str, title: str | None, *, actor: int, now: datetime
) -> tuple[Feed, bool]:
    """Add a validated feed (due at once, first poll quiet); False when it was known."""
    known = await store.feed_by_url(url)
    if known is not None:
        return known, False
    feed = await store.add_feed(url, title=title, now=now)
    await store.audit("feed.add", now=now, actor_id=actor, target=url, after=_feed_record(feed))
    return feed, True


async def find_feed(store: FeedStore, ref: str) -> Feed | None:
    """A feed named by its id or its URL."""
    ref = ref.strip()
    if ref.isdigit():
        return await store.get_feed(int(ref))
    return await store.feed_by_url(ref)


async def remove_feed(store: AuditedFeedStore, feed: Feed, *, actor: int, now: datetime) -> bool:
    """Delete a feed; the audit target is its URL so feed lists never bring it back."""
    if not await store.remove_feed(feed.id):
        return False
    await store.audit(
        "feed.remove", now=now, actor_id=actor, target=feed.url, before=_feed_record(feed)
    )
    return True


async def set_active(
    store: AuditedFeedStore, feed: Feed, active: bool, *, actor: int, now: datetime
) -> bool:
    """Pause or resume a feed (a resumed feed is due at once); False if it already was."""
    if feed.active == active or not await store.set_feed_active(feed.id, active, now=now):
        return False
    await store.audit(
        "feed.resume" if active else "feed.pause",
        now=now,
        actor_id=actor,
        target=feed.url,
        before={"active": feed.active},
        after={"active": active},
    )
    return True


async def import_feeds(
    store: AuditedFeedStore, specs: list[FeedSpec], *, actor: int | None, now: datetime
) -> ImportReport:
    """Add a list's new http(s) feeds with their options; skip known and admin-removed ones.

    An admin's import (actor given) is audited; a feeds file or the command line is not.
    """
    report = ImportReport()
    known = {feed.url for feed in await store.list_feeds()}
    removed = await store.removed_feed_urls()
    for spec in specs:
        url = spec.url.strip()
        if not is_http_url(url):
            report.refused.append(url)
        elif url in known:
            report.known.append(url)
        elif url in removed:
            report.removed_before.append(url)
        else:
            feed = await store.add_feed(url, title=spec.title, now=now)
            await _apply_options(store, feed, spec)
            if actor is not None:
                record = _feed_record(feed) | {"via": "import"}
                await store.audit("feed.add", now=now, actor_id=actor, target=url, after=record)
            known.add(url)
            report.added.append(url)
    return report


async def _apply_options(store: FeedStore, feed: Feed, spec: FeedSpec) -> None:
    """Give a listed feed the polling options its list entry sets (OPML sets none)."""
    options = FeedOptions(
        poll_interval=spec.interval,
        first_poll_alerts=spec.first_alerts or None,
        full_text=spec.full_text or None,
    )
    if options != FeedOptions():
        await store.set_feed_options(feed.id, options)


def is_failing(health: FeedHealth) -> bool:
    """Whether the feed's last fetch failed."""
    return health.feed.error_streak > 0


def failing_first(items: list[FeedHealth]) -> list[FeedHealth]:
    """Failing feeds first (longest streak first), then paused ones, then healthy ones."""
    return sorted(
        items,
        key=lambda h: (not is_failing(h), h.feed.active, -h.feed.error_streak, h.feed.id),
    )


def items_per_day(health: FeedHealth, now: datetime) -> float:
    """Articles published per day over the health window, or over the feed's life if shorter."""
    days = min(HEALTH_WINDOW, max(now - health.created_at, timedelta(days=1))) / timedelta(days=1)
    return health.recent_articles / days


def not_modified_share(health: FeedHealth) -> float | None:
    """The share of fetches the server answered 304 Not Modified, if it was fetched."""
    if not health.fetch_count:
        return None
    return health.not_modified_count / health.fetch_count


async def feeds_to_report(store: FeedStore, *, now: datetime) -> list[FeedHealth]:
    """Feeds failing for longer than REPORT_FAILING_AFTER that admins were not told about."""
    return await store.unflagged_failing_feeds(failing_before=now - REPORT_FAILING_AFTER)
