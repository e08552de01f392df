"""The store: every read and write Marsad makes, on SQLite or PostgreSQL.

`Store` composes one part per concern (feeds, polls, articles, deliveries, chats, topics,
admin, heartbeats, stories), each over the shared engine of `StoreBase`, and satisfies every
protocol of bot.storage.protocols, through which the rest of the application uses it. The
same tests run it on both databases. All datetimes in and out are timezone-aware UTC.
Writes that belong together (an article, its topics and its deliveries) share one
transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.storage.admin import AdminTables
from bot.storage.articles import ArticleTables
from bot.storage.base import create_engine
from bot.storage.chats import ChatTables
from bot.storage.deliveries import DeliveryTables
from bot.storage.feeds import FeedTables
from bot.storage.heartbeats import HeartbeatTable
from bot.storage.polls import PollWrites
from bot.storage.stories import StoryTables
from bot.storage.storyalerts import StoryAlertTables
from bot.storage.threads import StoryOptions
from bot.storage.topics import TopicTables

if TYPE_CHECKING:
    from bot.storage import protocols as p


class Store(
    FeedTables,
    PollWrites,
    ArticleTables,
    DeliveryTables,
    ChatTables,
    TopicTables,
    AdminTables,
    HeartbeatTable,
    StoryTables,
    StoryAlertTables,
):
    """Marsad's persistence, over one SQLAlchemy async engine: the one object the app builds."""

    @classmethod
    def from_url(cls, url: str, *, stories: StoryOptions | None = None) -> Store:
        """A store on a database URL."""
        return cls(create_engine(url), stories=stories)


if TYPE_CHECKING:
    EveryProtocol = tuple[
        p.FeedStore,
        p.PollStore,
        p.ArticleStore,
        p.DeliveryStore,
        p.ChatStore,
        p.TopicStore,
        p.AdminStore,
        p.HealthStore,
        p.SendStore,
        p.AuditedFeedStore,
        p.AuditedTopicStore,
        p.CommandStore,
        p.StoryStore,
    ]

    def _satisfies_every_protocol(store: Store) -> EveryProtocol:
        """Never called: mypy proves here that Store is each protocol."""
        return (
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
            store,
        )
