"""A newsroom with admins: the real Marsad on a Bot API server that also handles files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Marsad, RunOptions
from config.settings import Settings
from tests.helpers.botapi import JSON
from tests.helpers.botapi_files import FileBotApiServer, SentDocument
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import rss
from tests.telegram.conftest import FAST, LIMITS, QUIET, Clock, Newsroom

ADMIN = 7001  # in ADMIN_IDS
EDITOR = 7002  # made an admin from chat in some tests
REPORTER = 7003  # never an admin
SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "seed"


@pytest.fixture
async def files_api() -> AsyncIterator[FileBotApiServer]:
    """The local Bot API server with sendDocument, getFile and downloads."""
    async with FileBotApiServer() as server:
        yield server


@pytest.fixture
async def admin_newsroom(tmp_path: Path, files_api: FileBotApiServer) -> AsyncIterator[Newsroom]:
    """Marsad on Telegram with ADMIN_IDS set and one local feed already polled (quietly)."""
    async with FeedServer() as feeds:
        feeds.static("/feed.xml", rss([QUIET]))
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(f'[[feed]]\nurl = "{feeds.url("/feed.xml")}"\nname = "Local"\n')
        settings = Settings(
            telegram_bot_token=files_api.token,
            telegram_api_url=files_api.base_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}",
            feeds_file=feeds_file,
            poll_interval=60,
            admin_ids=(ADMIN,),
        )
        clock = Clock()
        marsad = Marsad(
            settings, options=RunOptions(parser_workers=1, limits=LIMITS, pace=FAST), clock=clock
        )
        try:
            await marsad.start()
            await marsad.start_telegram()
            await marsad.cycle()
            yield Newsroom(marsad, files_api, feeds, clock)
        finally:
            await marsad.close()


async def send_update(newsroom: Newsroom, update: JSON, chat_id: int) -> str:
    """Queue an update by hand and return the plain text of the bot's next message there."""
    before = len(newsroom.api.sent_to(chat_id))
    newsroom.api.queue_update(update)
    sent = await newsroom.api.wait_for_messages(before + 1, chat_id=chat_id)
    return sent[before].plain_text


async def next_document(api: FileBotApiServer, chat_id: int, before: int) -> SentDocument:
    """Wait for the document after the first `before` sent to a chat."""
    await api.wait_for_calls("sendDocument", before + 1)
    return api.documents_to(chat_id)[before]
