"""Telegram through TELEGRAM_PROXY only: real HTTP and SOCKS5 proxies (pproxy) on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import Store, create_engine
from tests.app.marsad_process import clean_environment, run_marsad
from tests.helpers.botapi import BotApiServer
from tests.helpers.feedserver import FeedServer
from tests.helpers.proxies import local_proxy
from tests.helpers.rss import Item, rss

pytestmark = pytest.mark.slow  # every test runs `python -m bot` as a subprocess

CHAT = 1001
NOW = datetime.now(UTC)
TERROR = Item(
    "t1",
    "هجوم إرهابي يتبناه تنظيم داعش في شمال البلاد",
    "أعلن تنظيم داعش الإرهابي مسؤوليته عن الهجوم الذي استهدف نقطة أمنية، "
    "فيما أدانت الحكومة العمل الإرهابي وتعهدت بملاحقة الخلايا الإرهابية.",
    "https://news.example/terror-1",
    NOW,
)


@asynccontextmanager
async def newsroom(tmp_path: Path, api: BotApiServer) -> AsyncIterator[dict[str, str]]:
    """A database where one chat follows terrorism, a feed with a new attack; its settings."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'marsad.db'}"
    store = Store(create_engine(database))
    await store.migrate()
    await store.upsert_chat(CHAT, kind="private", now=NOW)
    await store.subscribe(CHAT, ["terrorism"], now=NOW)
    await store.close()
    async with FeedServer() as feeds:
        feeds.static("/feed.xml", rss([TERROR]))
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(
            f'[[feed]]\nurl = "{feeds.url("/feed.xml")}"\nfirst_alerts = 1\n', encoding="utf-8"
        )
        yield clean_environment(
            DATABASE_URL=database,
            FEEDS_FILE=str(feeds_file),
            FETCH_ALLOW_NETWORKS="127.0.0.0/8",  # the feed server is on loopback
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_URL=api.base_url,
        )


def alerted(api: BotApiServer) -> bool:
    """Whether the attack reached the subscribed chat."""
    return any(TERROR.title in message.plain_text for message in api.sent_to(CHAT))


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_alerts_reach_telegram_through_telegram_proxy(
    tmp_path: Path, botapi: BotApiServer, scheme: str
) -> None:
    async with local_proxy(scheme) as proxy, newsroom(tmp_path, botapi) as env:
        env["TELEGRAM_PROXY"] = proxy.url
        code, _, err = await run_marsad(env, "run", "--once")
    assert code == 0, err
    assert alerted(botapi)
    assert proxy.saw(botapi.url), proxy.relayed
    assert f"Telegram through the proxy {proxy.url}" in err


async def test_proxy_password_is_not_logged(tmp_path: Path, botapi: BotApiServer) -> None:
    async with local_proxy("http") as proxy, newsroom(tmp_path, botapi) as env:
        env["TELEGRAM_PROXY"] = proxy.url.replace("http://", "http://desk:pr0xy-s3cret@")
        code, _, err = await run_marsad(env, "run", "--once")
    assert code == 0, err
    assert alerted(botapi) and proxy.saw(botapi.url)
    assert "pr0xy-s3cret" not in err and "desk:" not in err


@pytest.mark.parametrize("socksio", ["installed", "missing"])
async def test_all_proxy_in_the_environment_is_ignored_with_a_log_line(
    tmp_path: Path, botapi: BotApiServer, socksio: str
) -> None:
    async with local_proxy("socks5") as proxy, newsroom(tmp_path, botapi) as env:
        env["ALL_PROXY"] = proxy.url
        if socksio == "missing":  # a machine without httpx's socks extra crashed at start
            shadow = tmp_path / "shadow" / "socksio"
            shadow.mkdir(parents=True)
            (shadow / "__init__.py").write_text("raise ImportError('socksio is not installed')")
            env["PYTHONPATH"] = str(shadow.parent)
        code, _, err = await run_marsad(env, "run", "--once")
    assert code == 0, err
    assert "Traceback" not in err
    assert "ALL_PROXY ignored for Telegram: set TELEGRAM_PROXY" in err
    assert alerted(botapi)
    assert proxy.relayed == []  # straight to the Bot API
