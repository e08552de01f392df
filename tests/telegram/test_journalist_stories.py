"""What journalists see of stories through the real bot: /why lists the story's reports and
why each joined; /search and digests show one line per story."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.jobs import digest_job
from tests.classifiers.test_stories import DAMMAM_1, DAMMAM_2
from tests.telegram.conftest import Newsroom
from tests.telegram.test_admin_stories import D1, D2, one_story, plain

AR_USER, EN_USER = 4101, 4102


async def test_why_lists_the_storys_reports_and_why_each_joined(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", EN_USER, language_code="en")
    await newsroom.command("/subscribe terrorism", AR_USER)
    await one_story(newsroom)
    for chat_id in (EN_USER, AR_USER):
        await newsroom.api.wait_for_messages(2, chat_id=chat_id)
    alert = newsroom.api.sent_to(EN_USER)[1]
    assert DAMMAM_1[0] in plain(alert.plain_text)

    why = await newsroom.command("/why", EN_USER, reply_to=alert.message_id, language_code="en")

    text = plain(why.plain_text)
    assert "Terrorism (terrorism, score" in text  # today's topic part stays
    assert "The story: 2 reports from 2 outlets" in text
    story = text[text.index("The story") :]
    assert story.index(DAMMAM_1[0]) < story.index(DAMMAM_2[0])
    assert "okaz.example" in story and "alwatan.example" in story
    assert "first report of the story" in story
    assert "joined: similarity 0." in story and "shared: " in story
    links = {e["url"] for e in why.entities if e.get("type") == "text_link"}
    assert {D1.link, D2.link} <= links

    alert = newsroom.api.sent_to(AR_USER)[1]
    why = await newsroom.command("/why", AR_USER, reply_to=alert.message_id)
    assert "القصة: 2 تقارير من 2 مصادر" in plain(why.plain_text)
    assert "انضم: تشابه" in why.plain_text and "أول تقرير في القصة" in why.plain_text


async def test_search_shows_one_line_per_story_with_its_outlets(newsroom: Newsroom) -> None:
    await one_story(newsroom)

    reply = await newsroom.command("/search مسجد العنود", EN_USER, language_code="en")

    text = plain(reply.plain_text)
    assert text.startswith("Results 1–1 for")
    assert (DAMMAM_1[0] in text) != (DAMMAM_2[0] in text)  # one of its reports
    assert "2 outlets" in text
    reply = await newsroom.command("/search مسجد العنود", AR_USER)
    assert "2 مصادر" in reply.plain_text


async def test_the_hourly_digest_has_one_line_per_story(newsroom: Newsroom) -> None:
    await newsroom.command("/subscribe terrorism", EN_USER, language_code="en")
    await newsroom.command("/digest hourly", EN_USER, language_code="en")
    before = len(newsroom.api.sent_to(EN_USER))
    await one_story(newsroom)  # held for the digest

    newsroom.clock.now = datetime(2026, 11, 29, 9, 0, 30, tzinfo=UTC)
    await digest_job(newsroom.marsad)

    [digest] = newsroom.api.sent_to(EN_USER)[before:]
    text = plain(digest.plain_text)
    lines = [line for line in text.split("\n") if line.startswith("•")]
    assert len(lines) == 1 and DAMMAM_1[0] in lines[0] and lines[0].endswith("(+1 outlets)")
    links = [e["url"] for e in digest.entities if e.get("type") == "text_link"]
    assert links == [D1.link]
    assert (await newsroom.marsad.store.stats()).alerts_pending == 0
