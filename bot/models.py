"""Frozen records passed between the pipeline's stages, and those the store returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed as the store knows it."""

    id: int
    url: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    active: bool = True
    error_streak: int = 0
    last_error: str | None = None
    poll_interval: int | None = None  # seconds; None means the configured POLL_INTERVAL
    max_interval: int = 3600  # ceiling for server hints (ttl, max-age), seconds
    first_poll_alerts: int = 0  # how many of the newest items a first poll alerts on
    polled_once: bool = False  # whether a poll has ever stored this feed's items
    full_text: bool = False  # complete lede-only items from their article pages
    next_check_at: datetime | None = None


class FetchStatus(StrEnum):
    """How one HTTP fetch of a feed ended."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetch's outcome; expected failures are values, not exceptions."""

    status: FetchStatus
    url: str  # the URL finally fetched (after redirects)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    http_status: int | None = None
    etag: str | None = None  # exactly as received
    last_modified: str | None = None  # exactly as received
    permanent_url: str | None = None  # set when a 301/308 moved the feed
    retry_after: float | None = None  # seconds, from Retry-After on 429/503
    max_age: float | None = None  # seconds, from Cache-Control max-age or Expires
    error: str | None = None  # one readable line when status is ERROR


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed item, normalised: plain text, UTC time, canonical URL.

    Identity: `key` (guid, else canonical link, else a hash of title and summary) is unique
    per feed; `url` and `title_hash` are the feed-independent keys.
    """

    key: str
    url: str
    title: str
    text: str  # plain text, paragraphs separated by blank lines
    published: datetime  # UTC; the fetch time when the feed gives none
    title_hash: str  # hash of the normalised title, for cross-feed duplicates
    language: str | None = None  # "ar", "en", "fr" or None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What parsing one feed body produced."""

    title: str | None
    entries: tuple[Entry, ...]
    ttl_seconds: int | None = None  # RSS <ttl>, converted from minutes
    warning: str | None = None  # bozo message when the feed was kept anyway
    error: str | None = None  # set when the body was refused or had no feed at all
    # Each entry classified, in order, when parsing was asked to (one worker round trip).
    articles: tuple[NewArticle, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """One topic an article carries, with the evidence for it."""

    topic: str
    score: float
    evidence: tuple[str, ...]  # readable, e.g. "إرهاب (title)", "cyber security (body)"


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article."""

    id: int
    feed_id: int
    url: str
    title: str
    text: str
    published: datetime
    language: str | None
    topics: tuple[TopicMatch, ...] = ()
    feed_title: str | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """One article due to one chat."""

    delivery_id: int
    chat_id: int
    article: Article
    thread_id: int | None = None
    language: str = "ar"  # the chat's language, for hashtags and labels
    timezone: str = "UTC"  # the chat's time zone, for publication times
    show_why: bool = False  # whether the chat wants the evidence line
    quiet: bool = False  # the chat wants routine alerts without sound


@dataclass(frozen=True, slots=True)
class Message:
    """One Telegram message, as bot.render shapes it, and the deliveries it settles."""

    text: str
    deliveries: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StoryEdit:
    """A story's alert in one destination, due for an edit: the story grew."""

    story_id: int
    chat_id: int
    thread_id: int
    message_id: int
    grown_at: datetime  # the growth this edit shows (newer growth waits for the next)
    alert: Alert  # the original alert, rendered again under the growth block
    breaking: bool = False  # carries the breaking mark
    tell_breaking: bool = False  # the reply with sound is still due


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """How one chat wants its alerts: language, time zone, digest mode, mute."""

    chat_id: int
    kind: str = "private"
    language: str = "ar"
    language_fixed: bool = False  # set by /lang: replies use it, not the user's Telegram language
    timezone: str = "UTC"
    digest: str = "off"  # off, hourly or daily
    digest_at: str = "08:00"  # local time of the daily digest
    last_digest_at: datetime | None = None
    muted_until: datetime | None = None
    show_why: bool = False
    active: bool = True
    quiet: bool = False  # routine alerts without sound (/quiet)
    breaking_outlets: int = 3  # /breaking K M: K outlets within M minutes; 0 is off
    breaking_minutes: int = 30


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An entry ready to store: classified, with its search text."""

    entry: Entry
    norm_text: str  # normalised title and text for the search index
    language: str | None
    topics: tuple[TopicMatch, ...]


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """What storing one feed's new entries did."""

    article_ids: tuple[int, ...]
    duplicates: int  # entries the database already knew under another key
    deliveries: int  # tagged articles that may alert: deliveries follow the story decision
    articles: tuple[NewArticle, ...] = ()  # the stored articles, in the order of article_ids
    alerted: frozenset[int] = frozenset()  # the ids of those that alert
    catch_up: bool = False  # more new items than the cap: only the newest alerted


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A feed with the counters admins read in /feeds."""

    feed: Feed
    created_at: datetime
    last_success_at: datetime | None = None
    failing_since: datetime | None = None
    flagged_at: datetime | None = None
    paused_reason: str | None = None
    fetch_count: int = 0
    not_modified_count: int = 0
    recent_articles: int = 0  # articles published in the health window (see FeedStore.feed_health)


# What the store takes and returns beyond the pipeline's records (see bot.storage.protocols).


@dataclass(frozen=True, slots=True)
class PollSuccess:
    """What a fetch that worked tells the store about its feed."""

    now: datetime
    next_check_at: datetime
    not_modified: bool
    etag: str | None
    last_modified: str | None
    title: str | None = None
    new_url: str | None = None  # where a permanent redirect moved the feed


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """A feed's own polling options; None means "leave as it is"."""

    poll_interval: int | None = None  # seconds between polls instead of POLL_INTERVAL
    max_interval: int | None = None  # the most that server hints may slow the feed to
    first_poll_alerts: int | None = None  # newest items a first poll alerts on
    full_text: bool | None = None  # complete lede-only items from their pages


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """When one loop of one instance last made progress, and what it did."""

    loop: str  # "poll" or "deliver"
    instance: str
    at: datetime
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts for `python -m bot stats` and /stats; the `_since` ones only when asked for."""

    feeds: int
    feeds_active: int
    feeds_failing: int
    articles: int
    alerts_pending: int
    alerts_sent: int
    alerts_failed: int
    chats: int
    subscriptions: int
    articles_since: int | None = None
    alerts_sent_since: int | None = None

    def as_dict(self) -> dict[str, int]:
        """The counts by name, in this order, leaving out those not asked for."""
        return {key: value for key, value in asdict(self).items() if value is not None}


@dataclass(frozen=True, slots=True)
class CatchUp:
    """A poll that listed more new items than the cap, as audited for admins."""

    id: int  # the audit entry's id (admins are told up to one: mark_catch_ups_told)
    at: datetime
    feed_id: int
    name: str  # the feed's title, else its URL
    new: int  # new items the poll stored
    alerted: int  # the newest of them that alerted


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change in the audit log; before and after are JSON text as stored."""

    id: int
    at: datetime
    actor_id: int | None  # a Telegram user id; None for the system or the CLI
    action: str
    target: str | None
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class Destination:
    """A group or channel with subscriptions, for /channels."""

    chat_id: int
    kind: str  # group, supergroup or channel
    title: str | None
    active: bool
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeliveredArticle:
    """An article one sent message carried, with its topics (for /why)."""

    article_id: int
    title: str
    topics: tuple[TopicMatch, ...]


@dataclass(frozen=True, slots=True)
class TopicFlags:
    """Whether a stored topic is built in and whether it is enabled."""

    builtin: bool
    enabled: bool


@dataclass(frozen=True, slots=True)
class TopicRecord:
    """A stored topic: its definition (classifiers.topic_to_dict's JSON object) and flags."""

    definition: dict[str, Any]
    builtin: bool
    enabled: bool


@dataclass(frozen=True, slots=True)
class StoryProgress:
    """What threading the stored articles that wait for their story did."""

    decided: int = 0  # articles given their story
    restored: int = 0  # reports restored into the threader (it was rebuilt, or caught up)
    rebuilt: bool = False  # whether the threader was rebuilt from the database


@dataclass(frozen=True, slots=True)
class JoinEvidence:
    """Why an article joined its story or started one (classifiers' Evidence, as stored).

    reason: "joined"; "new" or "new: <why the closest story was refused>"; "old" (published
    before the story window: its own story, compared with nothing); "split" (an admin
    detached it).
    """

    reason: str
    matched: int | None = None  # the closest earlier article of the closest story
    similarity: float = 0.0  # TF-IDF similarity to that story, less the time decay
    names: float = 0.0  # agreement on distinctive terms, 0..1
    score: float = 0.0  # what decided; a join scores at least the threshold
    conflicts: int = 0  # disagreeing figures and headline names
    shared: tuple[str, ...] = ()  # distinctive words and names both sides use


@dataclass(frozen=True, slots=True)
class Story:
    """The reports of one event; its id is its first article's id."""

    id: int
    opened_at: datetime  # its first report's threading time (publication, capped at storage)
    updated_at: datetime  # its newest report's
    members: int
    outlets: int  # distinct outlets (link hosts) among its reports
    breaking_at: datetime | None = None  # when it was first marked breaking


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One report of a story: its article, outlet, link, topics, and why it joined."""

    article_id: int
    story_id: int
    seq: int  # the order of decisions, over every instance
    at: datetime  # the time threading used: published, never later than it was stored
    outlet: str  # the link's host without www., else "feed:<id>"
    feed_id: int | None
    feed_title: str | None
    url: str
    title: str
    language: str | None
    published: datetime
    topics: tuple[TopicMatch, ...]
    evidence: JoinEvidence
    moved_at: datetime | None = None  # when an admin's /split moved it
