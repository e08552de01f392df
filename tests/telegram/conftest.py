"""A whole Marsad on Telegram: the real python-telegram-bot against the local Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Marsad, RunOptions
from bot.delivery.limiter import CommandPace, ReplyPace
from bot.delivery.send import Pace
from bot.feeds.fetch import FetchLimits
from config.settings import Settings
from tests.helpers.botapi import BotApiServer, SentMessage, message_update
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import Item, rss

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
FAST = Pace(private_interval=0.0, group_interval=0.0, global_interval=0.0, backoff=0.01)
LIMITS = FetchLimits(connect_timeout=2.0, total_timeout=5.0)
# Tests send commands faster than anyone types; the pacing tests ask for the real pace.
UNPACED = CommandPace(burst=10_000)
FAST_REPLIES = ReplyPace(private_window=0.0, group_window=0.0)

TERROR = Item(
    "t1",
    "هجوم إرهابي يتبناه تنظيم داعش في شمال البلاد",
    "أعلن تنظيم داعش الإرهابي مسؤوليته عن الهجوم الذي استهدف نقطة أمنية في 2025، "
    "فيما أدانت الحكومة العمل الإرهابي وتعهدت بملاحقة الخلايا الإرهابية.",
    "https://news.example/terror-1",
    START + timedelta(minutes=1),
)
CYBER = Item(
    "c1",
    "Ransomware attack cripples hospital systems",
    "A ransomware attack encrypted the hospital's data and the hackers demanded a ransom, "
    "while cybersecurity experts investigate the breach & the malware used.",
    "https://news.example/cyber-1",
    START + timedelta(minutes=2),
)
QUIET = Item(
    "q1",
    "افتتاح معرض الكتاب الدولي بمشاركة واسعة",
    "افتتح معرض الكتاب أبوابه.",
    "https://news.example/books-1",
    START - timedelta(hours=1),
)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Newsroom:
    """A running Marsad on Telegram, its Bot API server, its feed server and its clock."""

    marsad: Marsad
    api: BotApiServer
    feeds: FeedServer
    clock: Clock

    async def command(
        self, text: str, chat_id: int, user_id: int | None = None, **kwargs: object
    ) -> SentMessage:
        """Send a command as a user and return the bot's reply."""
        before = len(self.api.sent_to(chat_id))
        self.api.queue_update(message_update(text, chat_id, user_id or abs(chat_id), **kwargs))
        sent = await self.api.wait_for_messages(before + 1, chat_id=chat_id)
        return sent[before]

    async def publish(self, *items: Item) -> None:
        """Put items in the feed and run one cycle a few minutes later."""
        self.feeds.static("/feed.xml", rss([*items, QUIET]))
        self.clock.now += timedelta(minutes=10)
        await self.marsad.cycle()


@asynccontextmanager
async def running_newsroom(
    tmp_path: Path,
    api: BotApiServer,
    *,
    admin_ids: tuple[int, ...] = (),
    commands: CommandPace = UNPACED,
    replies: ReplyPace = FAST_REPLIES,
) -> AsyncIterator[Newsroom]:
    """Marsad started on Telegram, with one feed already polled once (quietly)."""
    async with FeedServer() as feeds:
        feeds.static("/feed.xml", rss([QUIET]))
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(f'[[feed]]\nurl = "{feeds.url("/feed.xml")}"\nname = "Local"\n')
        settings = Settings(
            telegram_bot_token=api.token,
            telegram_api_url=api.base_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}",
            feeds_file=feeds_file,
            poll_interval=60,
            admin_ids=admin_ids,
        )
        clock = Clock()
        options = RunOptions(
            parser_workers=1, limits=LIMITS, pace=FAST, commands=commands, replies=replies
        )
        marsad = Marsad(settings, options=options, clock=clock)
        try:
            await marsad.start()
            await marsad.start_telegram()
            await marsad.cycle()
            yield Newsroom(marsad, api, feeds, clock)
        finally:
            await marsad.close()


@pytest.fixture
async def newsroom(tmp_path: Path, botapi: BotApiServer) -> AsyncIterator[Newsroom]:
    """Marsad started on Telegram, with one feed already polled once (quietly)."""
    async with running_newsroom(tmp_path, botapi) as room:
        yield room
