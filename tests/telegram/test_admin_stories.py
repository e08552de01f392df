"""Admins' /story and /split through the real bot: a story's reports with why each joined,
and detaching a wrongly joined report, which alerts it and is audited."""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

import json
from datetime import timedelta

from tests.classifiers.test_stories import DAMMAM_1, DAMMAM_2, FILLER
from tests.helpers.rss import Item
from tests.telegram.admin_fixtures import (  # noqa: F401 - fixtures
    ADMIN,
    REPORTER,
    admin_newsroom,
    files_api,
)
from tests.telegram.conftest import START, Newsroom

LATE = 7402  # subscribes after the story was alerted

FILLER_ITEMS = [
    Item(f"f{i}", title, body, f"https://wire{i}.example/f{i}", START - timedelta(minutes=30 - i))
    for i, (title, body) in enumerate(FILLER)
]
D1 = Item("d1", *DAMMAM_1, "https://www.okaz.example/d1", START + timedelta(minutes=1))
D2 = Item("d2", *DAMMAM_2, "https://www.alwatan.example/d2", START + timedelta(minutes=3))


def plain(text: str) -> str:
    """Text without the invisible bidi isolates."""
    return text.replace("\u2068", "").replace("\u2069", "")


async def one_story(room: Newsroom) -> tuple[int, int]:
    """Two outlets report one bombing (after unrelated news); the two article ids."""
    await room.publish(*FILLER_ITEMS, D1, D2)
    ids = []
    for item in (D1, D2):
        article = await room.marsad.store.article_by_url(item.link)
        assert article is not None
        ids.append(article.id)
    first = await room.marsad.store.story_of(ids[0])
    second = await room.marsad.store.story_of(ids[1])
    assert first is not None and second is not None and first.id == second.id == ids[0]
    return ids[0], ids[1]


async def test_story_lists_its_reports_with_why_each_joined(admin_newsroom: Newsroom) -> None:
    room = admin_newsroom
    await room.command("/subscribe terrorism", ADMIN, language_code="en")
    d1, d2 = await one_story(room)
    sent = await room.api.wait_for_messages(2, chat_id=ADMIN)  # the /subscribe reply, alert
    alert = next(m for m in sent if DAMMAM_1[0] in plain(m.plain_text))

    reply = await room.command(f"/story {d2}", ADMIN, language_code="en")

    text = plain(reply.plain_text)
    assert text.startswith(f"Story {d1}: 2 reports from 2 outlets")
    assert text.index(DAMMAM_1[0]) < text.index(DAMMAM_2[0])
    assert "okaz.example" in text and "alwatan.example" in text
    assert "first report of the story" in text
    assert "joined: similarity 0." in text and "shared: " in text
    links = {e["url"] for e in reply.entities if e.get("type") == "text_link"}
    assert {D1.link, D2.link} <= links
    # In reply to the story's alert, in Arabic.
    reply = await room.command("/story", ADMIN, reply_to=alert.message_id)
    assert plain(reply.plain_text).startswith(f"القصة {d1}: 2 تقارير من 2 مصادر")
    assert "انضم: تشابه" in reply.plain_text
    [entry, *_] = await room.marsad.store.audit_entries(5)
    assert (entry.action, entry.actor_id, entry.target) == ("story.view", ADMIN, str(d1))
    usage = await room.command("/story x", ADMIN, language_code="en")
    assert usage.plain_text.startswith("Usage: /story")
    unknown = await room.command("/story 99999", ADMIN, language_code="en")
    assert unknown.plain_text == "No story for story or article 99999."


async def test_split_detaches_a_report_alerts_it_and_audits_it(admin_newsroom: Newsroom) -> None:
    room = admin_newsroom
    await room.command("/subscribe terrorism", REPORTER, language_code="en")
    d1, d2 = await one_story(room)
    await room.command("/subscribe terrorism", LATE, language_code="en")
    before = len(room.api.sent_to(LATE))

    refused = await room.command(f"/split {d2}", REPORTER, language_code="en")
    assert refused.plain_text.startswith("Sorry")
    story = await room.marsad.store.story_of(d2)
    assert story is not None and story.id == d1

    reply = await room.command(f"/split {d2}", ADMIN, language_code="en")

    assert reply.plain_text.startswith(f"Article {d2} left story {d1} and is now story {d2};")
    story = await room.marsad.store.story_of(d2)
    assert story is not None and (story.id, story.members) == (d2, 1)
    await room.marsad.deliver()
    sent = await room.api.wait_for_messages(before + 1, chat_id=LATE)
    assert DAMMAM_2[0] in sent[before].plain_text
    [entry, *_] = await room.marsad.store.audit_entries(5)
    assert (entry.action, entry.actor_id, entry.target) == ("story.split", ADMIN, str(d2))
    assert json.loads(entry.before or "") == {"story": d1}
    assert json.loads(entry.after or "")["story"] == d2
    alone = await room.command(f"/split {d2}", ADMIN, language_code="en")
    assert alone.plain_text == f"Article {d2} is already alone in its story; nothing changed."
    unknown = await room.command("/split 99999", ADMIN, language_code="en")
    assert unknown.plain_text == "No story holds article 99999."
    usage = await room.command("/split", ADMIN, language_code="en")
    assert usage.plain_text.startswith("Usage: /split")


async def test_story_is_for_admins_only(admin_newsroom: Newsroom) -> None:
    refused = await admin_newsroom.command("/story 1", REPORTER, language_code="en")
    assert refused.plain_text.startswith("Sorry")
    assert not [
        e for e in await admin_newsroom.marsad.store.audit_entries(5) if "story" in e.action
    ]
