"""Table definitions shared by the store and the migrations.

The database enforces identity: unique keys on feeds' URLs, on (feed, entry key), on
canonical article URLs and on one delivery per article and destination.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

# Named constraints keep migrations identical on SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store naive UTC; refuse naive input, which would be ambiguous."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("active", Boolean, nullable=False, default=True),
    Column("paused_reason", Text),
    Column("error_streak", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("failing_since", UTCDateTime),
    Column("flagged_at", UTCDateTime),  # when admins were told it keeps failing
    Column("last_success_at", UTCDateTime),
    Column("poll_interval", Integer),  # seconds; NULL means POLL_INTERVAL
    Column("max_interval", Integer, nullable=False, default=3600),
    Column("first_poll_alerts", Integer, nullable=False, default=0),
    Column("full_text", Boolean, nullable=False, default=False),  # fetch article pages
    Column("polled_once", Boolean, nullable=False, default=False),
    Column("next_check_at", UTCDateTime),
    Column("fetch_count", Integer, nullable=False, default=0),
    Column("not_modified_count", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("entry_key", Text, nullable=False),
    Column("url", Text, nullable=False, unique=True),
    Column("title_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("norm_text", Text, nullable=False),  # normalised title and text, for search
    Column("language", String(8)),
    Column("published", UTCDateTime, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    UniqueConstraint("feed_id", "entry_key"),
    Index(None, "title_hash", "published"),
    Index(None, "published"),
    Index(None, "language", "published"),  # /search lang:
)

article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(64), primary_key=True),
    Column("score", Float, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON list of readable strings
    Index(None, "topic"),
)

topics = Table(
    "topics",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("definition", Text, nullable=False),  # JSON, see classifiers.topic_to_dict
    Column("builtin", Boolean, nullable=False, default=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

chats = Table(
    "chats",
    metadata,
    Column("id", BigInteger, primary_key=True),  # Telegram chat id
    Column("kind", String(16), nullable=False),  # private, group, supergroup, channel, console
    Column("title", Text),
    Column("language", String(8), nullable=False, default="ar"),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("show_why", Boolean, nullable=False, default=False),
    Column("digest", String(16), nullable=False, default="off"),
    Column("muted_until", UTCDateTime),
    Column("digest_at", String(5), nullable=False, default="08:00", server_default="08:00"),
    Column("last_digest_at", UTCDateTime),  # when the last digest slot was served
    Column("language_fixed", Boolean, nullable=False, default=False, server_default="0"),
    Column("active", Boolean, nullable=False, default=True),
    Column("deactivated_reason", Text),
    Column("created_at", UTCDateTime, nullable=False),
    # Routine alerts without sound (/quiet); breaking replies always ring.
    Column("quiet", Boolean, nullable=False, default=False, server_default="0"),
    # Breaking: at least this many outlets within breaking_minutes (/breaking); 0 is off.
    Column("breaking_outlets", Integer, nullable=False, default=3, server_default="3"),
    Column("breaking_minutes", Integer, nullable=False, default=30, server_default="30"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("thread_id", BigInteger, nullable=False, default=0),  # 0: no forum topic
    Column("topic", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("chat_id", "thread_id", "topic"),
    Index(None, "topic"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("thread_id", BigInteger, nullable=False, default=0),
    Column("state", String(16), nullable=False, default="pending"),  # pending, sent, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("message_id", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("article_id", "chat_id", "thread_id"),
    Index(None, "state", "chat_id"),
    Index(None, "chat_id", "message_id"),  # /why: which article a message was
)

admins = Table(
    "admins",
    metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("added_by", BigInteger),
    Column("added_at", UTCDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", BigInteger),  # Telegram user id; NULL for the system or the CLI
    Column("action", String(64), nullable=False),
    Column("target", Text),
    Column("before", Text),  # JSON
    Column("after", Text),  # JSON
    Index(None, "at"),
)

heartbeats = Table(
    "heartbeats",
    metadata,
    # One row per loop and instance ("poll", "deliver"): `python -m bot health` reads them.
    Column("loop", String(32), primary_key=True),
    Column("instance", String(128), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("detail", Text),  # e.g. "12 feeds, 3 new, 0 failed"
)

# Stories: the reports of one event, as the threader (classifiers.stories) joined them.
# A story's id is its first article's id, so it needs no sequence of its own and reads as
# the classifiers CLI prints it; /split keeps that true (see bot.storage.stories).
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("opened_at", UTCDateTime, nullable=False),  # its first member's threading time
    Column("updated_at", UTCDateTime, nullable=False),  # its newest member's threading time
    Column("members", Integer, nullable=False),
    Column("outlets", Integer, nullable=False),  # distinct outlets among its members
    Column("breaking_at", UTCDateTime),  # when it was first marked breaking
    Index(None, "opened_at"),
)

story_members = Table(
    "story_members",
    metadata,
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    # The order of decisions, over every instance: a rebuild restores in it, and an
    # instance catches up with the decisions numbered after the last it applied.
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("at", UTCDateTime, nullable=False),  # the time threading used: published, capped
    Column("outlet", String(255), nullable=False),  # the link's host, else "feed:<id>"
    Column("threaded", Boolean, nullable=False),  # False: too old to compare, its own story
    Column("evidence", Text, nullable=False),  # JSON: reason, matched, similarity, names, ...
    Column("moved_at", UTCDateTime),  # when an admin's /split moved it
    Index(None, "story_id", "seq"),
)

# Stored articles waiting for their story: the poll's write queues them with the articles,
# and a threading step (any instance's) decides and removes them.
story_queue = Table(
    "story_queue",
    metadata,
    Column(
        "article_id",
        Integer,
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    # The write's choice (catch-up cap, quiet first poll): whether the article may alert.
    Column("alert", Boolean, nullable=False, default=False, server_default="0"),
)

# One alert per story and destination: the message later reports edit in place.
story_alerts = Table(
    "story_alerts",
    metadata,
    Column("story_id", Integer, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True),
    Column("thread_id", BigInteger, primary_key=True, autoincrement=False),
    Column("delivery_id", Integer, ForeignKey("deliveries.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("grown_at", UTCDateTime),  # the story grew since the last edit: an edit is due
    Column("edited_at", UTCDateTime),  # the last edit (at most one a minute)
    Column("edited_seq", BigInteger, nullable=False, default=0),  # the newest member shown
    Column("breaking_at", UTCDateTime),  # became breaking for this chat: mark it
    Column("breaking_told_at", UTCDateTime),  # the reply with sound went out (once)
    Index(None, "grown_at"),
)
