"""What each part of Marsad may ask of the store: one narrow protocol per concern.

`bot.storage.Store` (SQLAlchemy, on SQLite or PostgreSQL) satisfies every protocol here;
services, handlers, the pipeline, delivery and digests are typed against the narrowest ones
they use, so a signature shows what a layer may read and write. A consumer spanning several
concerns gets a protocol combining them (SendStore, AuditedFeedStore, AuditedTopicStore,
CommandStore), since Python types have no intersection.

All datetimes in and out are timezone-aware UTC. Every method may raise, unchanged:

- while the database is unreachable or failing (a server down or restarting, a SQLite file
  that cannot be opened, a lock held past SQLite's busy timeout): the driver's error through
  SQLAlchemy, `sqlalchemy.exc.DBAPIError` (mostly `OperationalError`), or `OSError` when a
  PostgreSQL connection is refused. `bot.storage.UNAVAILABLE` names both for an `except`.
  Neither is a `MarsadError` (bot/errors.py has no storage error): the jobs catch it at
  their boundary (poll, deliver, digest, failing feeds; heartbeats never raise), log it
  and try again at the next tick, and a write that failed left nothing behind, since
  writes that belong together share one transaction. Pooled connections a database
  restart closed are replaced without an error (tests/storage/test_outages.py).
- `sqlalchemy.exc.StatementError` (from a ValueError) for a naive datetime: a bug.

Identity is the database's: adding what exists is no error, the return value says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from bot.models import (
    Alert,
    Article,
    AuditEntry,
    CatchUp,
    ChatSettings,
    DeliveredArticle,
    Destination,
    Entry,
    Feed,
    FeedHealth,
    FeedOptions,
    Heartbeat,
    NewArticle,
    PollSuccess,
    StoredBatch,
    StoreStats,
    Story,
    StoryEdit,
    StoryMember,
    StoryProgress,
    TopicFlags,
    TopicMatch,
    TopicRecord,
)
from bot.storage.search import SearchPage, SearchQuery


@runtime_checkable
class FeedStore(Protocol):
    """The feeds admins and the CLI manage, with their health; raises as the module says."""

    async def add_feed(self, url: str, *, title: str | None = None, now: datetime) -> Feed:
        """Add a feed, or return the existing one with that URL; it is due at once."""
        ...

    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by id."""
        ...

    async def feed_by_url(self, url: str) -> Feed | None:
        """One feed by its URL."""
        ...

    async def list_feeds(self) -> list[Feed]:
        """Every feed, oldest first."""
        ...

    async def set_feed_options(self, feed_id: int, options: FeedOptions) -> bool:
        """Change a feed's polling options (None leaves one as it is). False if no such feed."""
        ...

    async def set_feed_active(self, feed_id: int, active: bool, *, now: datetime) -> bool:
        """Pause or resume a feed; a resumed feed is due at once. False if there is none."""
        ...

    async def remove_feed(self, feed_id: int) -> bool:
        """Delete a feed; its articles stay (their feed becomes NULL) so dedup still holds."""
        ...

    async def removed_feed_urls(self) -> set[str]:
        """URLs of feeds an admin removed, which feed lists must not bring back."""
        ...

    async def feed_health(self, *, since: datetime) -> list[FeedHealth]:
        """Every feed with its health counters and its articles published since `since`."""
        ...

    async def unflagged_failing_feeds(self, *, failing_before: datetime) -> list[FeedHealth]:
        """Feeds failing since before a time that admins have not been told about."""
        ...

    async def flag_feeds(self, feed_ids: Iterable[int], *, now: datetime) -> None:
        """Remember that admins were told these feeds keep failing."""
        ...


@runtime_checkable
class PollStore(Protocol):
    """What a poll cycle reads and writes (bot.pipeline); raises as the module says."""

    async def due_feeds(self, now: datetime, limit: int = 10_000) -> list[Feed]:
        """Active feeds whose next check time has come, most overdue first."""
        ...

    async def filter_new(self, feed: Feed, entries: Sequence[Entry]) -> list[Entry]:
        """The entries the database has not seen under any of their keys, nor listed earlier."""
        ...

    async def add_articles(
        self,
        feed: Feed,
        items: Sequence[NewArticle],
        *,
        now: datetime,
        alert: bool | int = True,
        cap: int | None = None,
        success: PollSuccess | None = None,
    ) -> StoredBatch:
        """Store new articles with their topics and deliveries, once each (group-committed)."""
        ...

    async def record_poll(self, feed: Feed, success: PollSuccess) -> None:
        """Record a good fetch that stored nothing (unchanged, or no new entries)."""
        ...

    async def thread_stories(self, *, now: datetime) -> StoryProgress:
        """Decide and record the story of every stored article waiting for one, in order."""
        ...

    async def record_failure(
        self,
        feed: Feed,
        *,
        now: datetime,
        next_check_at: datetime,
        error: str,
        pause_after: timedelta,
    ) -> Feed:
        """Record a failed fetch; pause a feed that has failed for longer than pause_after."""
        ...

    async def complete_article(
        self, article_id: int, article: NewArticle, *, now: datetime, alert: bool
    ) -> int:
        """Store the text an article's page gave, its search text and topics; return alerts."""
        ...


@runtime_checkable
class ArticleStore(Protocol):
    """Stored articles: search, lookups and re-tagging; raises as the module says."""

    async def search(
        self, query: SearchQuery, *, now: datetime, offset: int = 0, limit: int = 5
    ) -> SearchPage:
        """Full-text search over stored articles (see bot.storage.search)."""
        ...

    async def article_by_url(self, url: str) -> Article | None:
        """A stored article by its canonical URL, with its topics."""
        ...

    async def count_articles_fetched_since(self, since: datetime) -> int:
        """How many articles were stored since a time."""
        ...

    async def articles_fetched_since(
        self, since: datetime, *, limit: int = 5000, below_id: int | None = None
    ) -> list[Article]:
        """Articles stored since a time, newest first (below_id pages on), with their topics."""
        ...

    async def replace_article_topics(
        self,
        article_id: int,
        matches: Sequence[TopicMatch],
        *,
        now: datetime,
        alert_topics: Iterable[str] = (),
    ) -> int:
        """Store an article's new topics; alert subscribers of alert_topics; return alerts."""
        ...

    async def delivered_articles(self, chat_id: int, message_id: int) -> list[DeliveredArticle]:
        """The articles a message sent to a chat carried: one, or a digest's."""
        ...


@runtime_checkable
class DeliveryStore(Protocol):
    """The outbox: pending deliveries and their outcomes; raises as the module says."""

    async def pending_alerts(self, *, limit: int = 500, chat_id: int | None = None) -> list[Alert]:
        """Pending deliveries to active chats, oldest first (without chat_id: not held ones)."""
        ...

    async def mark_sent(
        self, delivery_id: int, *, now: datetime, message_id: int | None = None
    ) -> None:
        """Record that Telegram (or the console) accepted a delivery."""
        ...

    async def mark_failed(self, delivery_id: int, *, reason: str) -> None:
        """Give up on a delivery, keeping why."""
        ...

    async def note_attempt(self, delivery_id: int, *, error: str) -> None:
        """Count a failed attempt that will be retried; the delivery stays pending."""
        ...


@runtime_checkable
class ChatStore(Protocol):
    """Chats, their settings and subscriptions; raises as the module says, and
    update_chat_settings raises ValueError for a name that is not a chat setting."""

    async def upsert_chat(
        self,
        chat_id: int,
        *,
        kind: str,
        now: datetime,
        title: str | None = None,
        language: str = "ar",
    ) -> None:
        """Record a chat, or reactivate and retitle a known one (its settings stay)."""
        ...

    async def chat_language(self, chat_id: int) -> str | None:
        """The language a known chat reads, or None for a chat Marsad has not seen."""
        ...

    async def chat_settings(self, chat_id: int) -> ChatSettings | None:
        """A chat's alert settings, or None for a chat Marsad does not know."""
        ...

    async def update_chat_settings(self, chat_id: int, **values: Any) -> None:
        """Change some of a known chat's settings (ChatSettings' field names)."""
        ...

    async def held_chats(self) -> list[ChatSettings]:
        """Active chats whose alerts wait for a digest or the end of a mute."""
        ...

    async def deactivate_chat(self, chat_id: int, *, reason: str) -> int:
        """Stop delivering to a chat; its pending deliveries fail; return how many."""
        ...

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move its settings, subscriptions and pending alerts."""
        ...

    async def subscribe(
        self, chat_id: int, topic_ids: Iterable[str], *, now: datetime, thread_id: int = 0
    ) -> list[str]:
        """Subscribe a destination to topics; return those that were new."""
        ...

    async def unsubscribe(
        self, chat_id: int, topic_ids: Iterable[str], *, thread_id: int = 0
    ) -> int:
        """Remove subscriptions; return how many there were."""
        ...

    async def subscriptions(self, chat_id: int, *, thread_id: int = 0) -> list[str]:
        """The topics a destination is subscribed to."""
        ...

    async def destinations(self) -> list[Destination]:
        """Groups and channels with subscriptions, with their topics."""
        ...


@runtime_checkable
class TopicStore(Protocol):
    """Topic definitions, built-in and admins' own; raises as the module says."""

    async def seed_topics(self, definitions: Iterable[Mapping[str, Any]], *, now: datetime) -> int:
        """Insert built-in topics that the database does not have yet; return how many."""
        ...

    async def topic_definitions(self, *, enabled_only: bool = True) -> list[dict[str, Any]]:
        """Every topic's definition, as stored (classifiers.topic_to_dict's JSON objects)."""
        ...

    async def topic_row(self, topic_id: str) -> TopicRecord | None:
        """A topic's stored definition, whether it is built in, and whether it is enabled."""
        ...

    async def topic_ids(self) -> dict[str, TopicFlags]:
        """Every stored topic id with whether it is built in and enabled."""
        ...

    async def save_topic(
        self, definition: Mapping[str, Any], *, enabled: bool, now: datetime
    ) -> None:
        """Create or replace an admin's topic (a built-in one stays built in)."""
        ...

    async def delete_topic(self, topic_id: str) -> bool:
        """Delete an admin's topic and its subscriptions; built-ins are only disabled."""
        ...


@runtime_checkable
class AdminStore(Protocol):
    """Admins added from chat, the audit log and the counts; raises as the module says."""

    async def admin_ids(self) -> set[int]:
        """User ids added as admins from chat (ADMIN_IDS come from the settings)."""
        ...

    async def add_admin(self, user_id: int, *, added_by: int | None, now: datetime) -> bool:
        """Make a user an admin; False if they already were."""
        ...

    async def remove_admin(self, user_id: int) -> bool:
        """Remove an admin added from chat; False if there was none."""
        ...

    async def audit(
        self,
        action: str,
        *,
        now: datetime,
        actor_id: int | None = None,
        target: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Append one change to the audit log (before and after are kept as JSON)."""
        ...

    async def audit_entries(self, limit: int = 20) -> list[AuditEntry]:
        """The newest audit entries first."""
        ...

    async def untold_catch_ups(self) -> list[CatchUp]:
        """Feed catch-ups admins have not been told about, oldest first, with their counts."""
        ...

    async def mark_catch_ups_told(self, through: int, *, now: datetime) -> None:
        """Record that admins were told of every catch-up up to an audit id."""
        ...

    async def stats(self, *, since: datetime | None = None) -> StoreStats:
        """Counts for `python -m bot stats` and /stats (the `_since` ones with since)."""
        ...


@runtime_checkable
class HealthStore(Protocol):
    """Heartbeats of the poll and delivery loops; raises as the module says."""

    async def record_heartbeat(self, beat: Heartbeat) -> None:
        """Replace one loop's heartbeat for one instance."""
        ...

    async def latest_heartbeats(self, *, instance_prefix: str = "") -> dict[str, Heartbeat]:
        """The newest heartbeat of each loop among instances whose name starts with the prefix."""
        ...


@runtime_checkable
class StoryStore(Protocol):
    """Stories as the poll threaded them (its writes record the decisions), and admins'
    changes to them; raises as the module says."""

    async def story(self, story_id: int) -> Story | None:
        """One story by id (a story's id is its first article's id)."""
        ...

    async def story_of(self, article_id: int) -> Story | None:
        """The story an article belongs to; None for one stored before stories (or unknown)."""
        ...

    async def story_ids(self, article_ids: Iterable[int]) -> dict[int, int]:
        """The story id of each of some articles that has one."""
        ...

    async def story_members(self, story_id: int) -> list[StoryMember]:
        """A story's reports in the order they joined, with outlets, links, topics, evidence."""
        ...

    async def story_topics(self, story_id: int) -> set[str]:
        """A story's topics: the union of its reports' topics."""
        ...

    async def window_members(self, since: datetime) -> list[StoryMember]:
        """Reports of the stories opened since a time, in decision order (for rebuilding)."""
        ...

    async def detach_article(self, article_id: int, *, now: datetime) -> Story | None:
        """Move an article wrongly joined into a story of its own; its story after, or None."""
        ...

    async def alert_article(self, article_id: int, *, now: datetime) -> int:
        """Queue an article's alerts to its topics' chats that lack one (/split); how many."""
        ...

    async def mark_story_breaking(self, story_id: int, *, at: datetime) -> bool:
        """Mark a story breaking; False if it was already (or there is none): once, whoever asks."""
        ...


# Consumers spanning several concerns.


@runtime_checkable
class SendStore(DeliveryStore, ChatStore, StoryStore, Protocol):
    """The send queue and digests: the outbox, and the chats it sends to (migrations, 403s,
    digest slots), the stories digests group by, and the story alerts to edit; raises as the
    module says."""

    async def due_story_edits(self, *, now: datetime, limit: int = 200) -> list[StoryEdit]:
        """Grown story alerts sent as a message of their own, not edited in the last minute."""
        ...

    async def mark_story_edited(
        self, edit: StoryEdit, *, now: datetime, told_breaking: bool = False
    ) -> None:
        """The edit went out (and the breaking reply, if told): clear what it showed."""
        ...


@runtime_checkable
class AuditedFeedStore(FeedStore, AdminStore, Protocol):
    """Feed changes with their audit entries (bot.services.feeds); raises as the module says."""


@runtime_checkable
class AuditedTopicStore(TopicStore, ArticleStore, AdminStore, Protocol):
    """Topic edits, audited, and re-tagging stored articles (bot.services.topics); raises as
    the module says."""


@runtime_checkable
class CommandStore(
    FeedStore, ArticleStore, ChatStore, TopicStore, AdminStore, StoryStore, Protocol
):
    """What chat commands may use (handlers, through Context.marsad.store): everything but
    the poll cycle's writes, the outbox and heartbeats (/split queues one article's alerts);
    raises as the module says."""


# Every protocol, for tests and for anyone checking a store of their own.
PROTOCOLS: tuple[type, ...] = (
    FeedStore,
    PollStore,
    ArticleStore,
    DeliveryStore,
    ChatStore,
    TopicStore,
    AdminStore,
    HealthStore,
    SendStore,
    AuditedFeedStore,
    AuditedTopicStore,
    CommandStore,
    StoryStore,
)
