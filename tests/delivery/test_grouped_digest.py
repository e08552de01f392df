"""The scheduled digest's shape: headlines grouped under topics, split to fit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.models import Alert, Article, ChatSettings, TopicMatch
from bot.render import StoryRef, TopicTable, render_grouped
from classifiers import Topic
from tests.helpers.botapi import check_message_text
from tests.helpers.topics import BUILT_IN

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
AR_USER = 4001


def alert(n: int, topics: tuple[tuple[str, float], ...]) -> Alert:
    """A pending alert whose article carries topics (strongest first)."""
    article = Article(
        id=n,
        feed_id=1,
        url=f"https://news.example/{n}",
        title=f"خبر <عاجل> رقم {n} & ما بعده",
        text="",
        published=START,
        language="ar",
        topics=tuple(TopicMatch(t, s, ("x",)) for t, s in topics),
        feed_title="Local",
    )
    return Alert(delivery_id=n, chat_id=AR_USER, article=article)


def test_digest_groups_under_a_followed_topic_and_splits_long_digests() -> None:
    chat = ChatSettings(chat_id=AR_USER, language="ar", digest="hourly")
    both = (("cybersecurity", 9.0), ("terrorism", 4.0))
    [message] = render_grouped(
        [alert(1, both), alert(2, (("terrorism", 5.0),))],
        chat,
        START,
        BUILT_IN,
        frozenset({"terrorism"}),
    )
    assert "<b>#إرهاب الإرهاب</b> (2)" in message.text  # the built-in's hashtag and name
    assert "السيبراني" not in message.text
    assert message.deliveries == (1, 2)
    many = render_grouped([alert(n, both) for n in range(1, 71)], chat, START, BUILT_IN)
    assert [len(m.deliveries) for m in many] == [30, 30, 10]
    for part in many:
        plain, _ = check_message_text(part.text, "HTML")  # valid Telegram HTML
        assert plain.startswith("🗞 موجز الأخبار") and "<عاجل>" in plain


def test_an_admin_topics_heading_is_made_of_its_names() -> None:
    book = TopicTable([Topic(id="nuclear", names={"ar": "الطاقة النووية", "en": "Nuclear energy"})])
    headings = []
    for language in ("ar", "en"):
        chat = ChatSettings(chat_id=AR_USER, language=language, digest="daily")
        [message] = render_grouped([alert(1, (("nuclear", 3.0),))], chat, START, book)
        headings.append(message.text.split("\n")[2])
    assert headings == [
        "<b>#الطاقة_النووية الطاقة النووية</b> (1)",
        "<b>#nuclear_energy Nuclear energy</b> (1)",
    ]


def test_a_storys_alerts_make_one_line_its_first_headline_with_its_outlets() -> None:
    terror = (("terrorism", 5.0),)
    first, later, other = alert(1, terror), alert(2, terror), alert(3, terror)
    first = replace(first, article=replace(first.article, published=START - timedelta(hours=1)))
    stories = {1: StoryRef(1, 3), 2: StoryRef(1, 3)}  # 3: stored before stories
    for language, more in (("ar", "(+2 مصادر)"), ("en", "(+2 outlets)")):
        chat = ChatSettings(chat_id=AR_USER, language=language, digest="hourly")

        [message] = render_grouped([later, other, first], chat, START, BUILT_IN, stories=stories)

        plain, entities = check_message_text(message.text, "HTML")
        plain = plain.replace("\u2068", "").replace("\u2069", "")  # bidi isolates
        lines = [line for line in plain.split("\n") if line.startswith("•")]
        assert len(lines) == 2 and "(2)" in plain  # two stories under terrorism
        assert "رقم 1 " in lines[0] and lines[0].endswith(more)  # the first report, linked
        assert "رقم 3 " in lines[1] and "+" not in lines[1]
        assert sorted(message.deliveries) == [1, 2, 3]  # the line settles the whole story
        assert [e["url"] for e in entities if e["type"] == "text_link"] == [
            "https://news.example/1",
            "https://news.example/3",
        ]
