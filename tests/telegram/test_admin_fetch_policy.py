"""Admins' probes (/addfeed, /testfilter) under the address policy, and masked feed passwords.

The newsroom here may reach 127.0.0.1 only; 127.0.0.2 stands for an internal host, whose
ports must not be told apart: open, closed and silent ones get the same refusal.
"""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.feeds.feedlist import parse_opml
from tests.helpers.botapi import message_update
from tests.helpers.botapi_files import FileBotApiServer
from tests.helpers.feedserver import FeedServer
from tests.helpers.rss import rss
from tests.telegram.admin_fixtures import ADMIN, files_api, next_document  # noqa: F401
from tests.telegram.conftest import QUIET, Newsroom, running_newsroom

PAGE = b"<html><head><title>Internal</title></head><body><p>zqinternal</p></body></html>"


@pytest.fixture
async def narrow_newsroom(
    tmp_path: Path, files_api: FileBotApiServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Newsroom]:
    """An admin's newsroom whose fetches may reach 127.0.0.1 only."""
    monkeypatch.setenv("FETCH_ALLOW_NETWORKS", "127.0.0.1/32")
    async with running_newsroom(tmp_path, files_api, admin_ids=(ADMIN,)) as room:
        yield room


@pytest.fixture
async def internal() -> AsyncIterator[FeedServer]:
    """A feed and a page on 127.0.0.2."""
    async with FeedServer(host="127.0.0.2") as server:
        server.static("/feed.xml", rss([QUIET]))
        server.static("/page", PAGE, content_type="text/html")
        yield server


def closed_port() -> int:
    """A port of 127.0.0.2 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.2", 0))
        return int(probe.getsockname()[1])


async def silent_port() -> tuple[asyncio.Server, int]:
    """A port of 127.0.0.2 that accepts connections and never answers (as if filtered)."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.2", 0)
    return server, int(server.sockets[0].getsockname()[1])


async def test_addfeed_replies_the_refusal_line_whatever_the_port_does(
    narrow_newsroom: Newsroom, internal: FeedServer
) -> None:
    silent, silent_at = await silent_port()
    ports = {"open": internal.port, "closed": closed_port(), "silent": silent_at}
    replies = {}
    try:
        for state, port in ports.items():
            url = f"http://127.0.0.2:{port}/feed.xml"
            reply = await narrow_newsroom.command(f"/addfeed {url}", ADMIN, language_code="en")
            replies[state] = reply.plain_text.replace(str(port), "PORT")
    finally:
        silent.close()
    expected = (
        "Not added, \u2068http://127.0.0.2:PORT/feed.xml\u2069: "
        "refused: 127.0.0.2 is a loopback address"
    )
    assert replies == {"open": expected, "closed": expected, "silent": expected}
    assert internal.hits["/feed.xml"] == 0
    assert len(await narrow_newsroom.marsad.store.list_feeds()) == 1  # only the newsroom's own


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("http://10.0.0.5/feed.xml", "refused: 10.0.0.5 is a private address"),
        (
            "http://[::ffff:127.0.0.2]:9/feed.xml",
            "refused: ::ffff:127.0.0.2 is a loopback address (IPv4-mapped 127.0.0.2)",
        ),
        ("http://169.254.169.254/latest/", "refused: 169.254.169.254 is a link-local address"),
    ],
)
async def test_addfeed_refuses_internal_literals_without_connecting(
    narrow_newsroom: Newsroom, url: str, line: str
) -> None:
    reply = await narrow_newsroom.command(f"/addfeed {url}", ADMIN, language_code="en")
    assert reply.plain_text.endswith(f": {line}")


async def test_testfilter_replies_the_refusal_line_whatever_the_port_does(
    narrow_newsroom: Newsroom, internal: FeedServer
) -> None:
    silent, silent_at = await silent_port()
    ports = {"open": internal.port, "closed": closed_port(), "silent": silent_at}
    replies = {}
    try:
        for state, port in ports.items():
            text = f"/testfilter http://127.0.0.2:{port}/page"
            replies[state] = (
                await narrow_newsroom.command(text, ADMIN, language_code="en")
            ).plain_text
    finally:
        silent.close()
    expected = "Could not fetch the page: refused: 127.0.0.2 is a loopback address"
    assert replies == {"open": expected, "closed": expected, "silent": expected}
    assert internal.hits["/page"] == 0


async def test_a_feeds_password_is_masked_in_feeds_export_and_audit(
    narrow_newsroom: Newsroom,
) -> None:
    room, api = narrow_newsroom, narrow_newsroom.api
    room.feeds.static("/private.xml", rss([QUIET], title="Private wire"))
    url = room.feeds.url("/private.xml").replace("http://", "http://desk:s3cret@")
    masked = url.replace("s3cret", "***")

    added = await room.command(f"/addfeed {url}", ADMIN, language_code="en")
    assert added.plain_text.startswith("Added feed"), added.plain_text
    assert room.feeds.requests["/private.xml"][0]["Authorization"].startswith("Basic ")
    assert await room.marsad.store.feed_by_url(url) is not None  # stored as typed

    feeds = (await room.command("/feeds", ADMIN, language_code="en")).plain_text
    audit = (await room.command("/audit", ADMIN, language_code="en")).plain_text
    before = len(api.documents_to(ADMIN))
    api.queue_update(message_update("/export", ADMIN, ADMIN, language_code="en"))
    exported = await next_document(api, ADMIN, before)
    for shown in (feeds, audit, exported.content.decode()):
        assert "s3cret" not in shown
    assert masked in feeds and masked in audit
    assert masked in {spec.url for spec in parse_opml(exported.content)}
