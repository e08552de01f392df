"""Alerts carry their topics' hashtags from the topic data: built-ins' and admins' own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.topics import TopicEngine
from classifiers import load_topics_toml, topic_to_dict
from config import TOPICS_FILE
from tests.helpers.botapi import BotApiServer
from tests.helpers.rss import Item
from tests.telegram.conftest import START, running_newsroom

ADMIN, AR_READER, EN_READER = 7101, 7102, 7103
NUCLEAR = Item(
    "n1",
    "افتتاح محطة نووية جديدة لتوليد الكهرباء",
    "أعلنت الحكومة تشغيل المحطة النووية بعد سنوات من البناء.",
    "https://news.example/nuclear-1",
    START + timedelta(minutes=5),
)


async def test_an_admin_topics_alert_is_tagged_with_its_name_in_each_language(
    tmp_path: Path, botapi: BotApiServer
) -> None:
    async with running_newsroom(tmp_path, botapi, admin_ids=(ADMIN,)) as room:
        await room.command('/newtopic nuclear "الطاقة النووية" "Nuclear energy"', ADMIN)
        await room.command('/addterm nuclear "محطة نووية"', ADMIN)
        await room.command("/subscribe nuclear", AR_READER, language_code="ar")
        await room.command("/subscribe nuclear", EN_READER, language_code="en")
        await room.publish(NUCLEAR)
        [ar_alert] = room.api.sent_to(AR_READER)[1:]
        [en_alert] = room.api.sent_to(EN_READER)[1:]
    assert ar_alert.plain_text.split("\n")[0] == "#الطاقة_النووية"
    assert en_alert.plain_text.split("\n")[0] == "#nuclear_energy"


async def test_built_in_topics_stored_before_hashtags_get_them_from_the_file(
    tmp_path: Path, botapi: BotApiServer
) -> None:
    async with running_newsroom(tmp_path, botapi) as room:
        store, now = room.marsad.store, room.clock()
        # As an older Marsad seeded it (no hashtags), then edited by an admin.
        [terrorism] = [t for t in load_topics_toml(TOPICS_FILE.read_text()) if t.id == "terrorism"]
        old = topic_to_dict(terrorism)
        del old["hashtags"]
        old["threshold"] = 7.5
        await store.save_topic(old, enabled=False, now=now)
        engine = TopicEngine(store)
        assert await engine.seed(TOPICS_FILE.read_text(), now=now) == 0
        row = await store.topic_row("terrorism")
    assert row is not None and row.builtin and not row.enabled  # still built in, still off
    assert row.definition["hashtags"] == {"ar": "إرهاب", "en": "terrorism"}
    assert row.definition["threshold"] == 7.5  # the admin's edit stays
