"""Alerts printed on the console, as `make run` shows them without a Telegram token."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from bot.delivery.outbox import ConsoleSender
from bot.models import Alert, Article, TopicMatch

ARTICLE = Article(
    id=1,
    feed_id=1,
    url="https://news.example/1",
    title="هجوم إرهابي يتبناه تنظيم داعش",
    text="أعلن تنظيم داعش مسؤوليته عن الهجوم. وأدانت الحكومة العمل الإرهابي.",
    published=datetime(2026, 11, 29, 8, 30, tzinfo=UTC),
    language="ar",
    topics=(TopicMatch("terrorism", 9.0, ("داعش (title)", "الإرهابي (body)")),),
    feed_title="Local news",
)
ALERT = Alert(delivery_id=1, chat_id=0, article=ARTICLE)


async def test_text_lines_carry_topics_title_source_link_and_why() -> None:
    out = io.StringIO()
    await ConsoleSender(out, "text", tz="Africa/Casablanca").send(ALERT)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("── [terrorism]")
    assert lines[1] == ARTICLE.title
    assert "أعلن تنظيم داعش" in lines[2]
    assert lines[3] == "Local news · 2026-11-29 09:30 +01"
    assert lines[4] == ARTICLE.url
    assert lines[5] == "why: terrorism: داعش (title), الإرهابي (body)"


async def test_jsonl_is_one_object_per_alert() -> None:
    out = io.StringIO()
    sender = ConsoleSender(out, "jsonl")
    await sender.send(ALERT)
    await sender.send(ALERT)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first == second
    assert first["topics"] == ["terrorism"] and first["feed"] == "Local news"
    assert first["evidence"] == {"terrorism": ["داعش (title)", "الإرهابي (body)"]}
    assert first["published"] == "2026-11-29T08:30:00+00:00"
