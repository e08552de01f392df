"""A newsroom with admins: the real Marsad on a Bot API server that also handles files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers.botapi import JSON
from tests.helpers.botapi_files import FileBotApiServer, SentDocument
from tests.telegram.conftest import Newsroom, running_newsroom

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
    async with running_newsroom(tmp_path, files_api, admin_ids=(ADMIN,)) as room:
        yield room


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
