"""The words around the news: fixed labels per UI language, and topics as hashtags and
names, taken from the topic data (config/topics.toml's built-ins, admins' own topics).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from bot.render.text import wrap_if_foreign
from classifiers import Topic

MAX_HASHTAGS = 10
MAX_HASHTAG = 64

# One table per UI language (handlers/texts.py's LANGUAGES); a shape's new label goes in each.
LABELS: dict[str, dict[str, str]] = {
    "ar": {
        "source": "المصدر",
        "link": "الخبر كاملاً",
        "why": "سبب التنبيه",
        "digest": "موجز الأخبار",
        "untitled": "(بلا عنوان)",
        "comma": "، ",
        "outlets": "+{n} مصادر",
        "more": "و{n} أخرى",
        "latest": "آخر التطورات",
        "breaking": "🔴 عاجل",
        "more_outlets": "(+{n} مصادر)",
    },
    "en": {
        "source": "Source",
        "link": "Full story",
        "why": "Why",
        "digest": "News digest",
        "untitled": "(untitled)",
        "comma": ", ",
        "outlets": "+{n} outlets",
        "more": "and {n} more",
        "latest": "Latest",
        "breaking": "🔴 Breaking",
        "more_outlets": "(+{n} outlets)",
    },
}

_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel


class TopicBook(Protocol):
    """Where shapes look topics up: the live TopicEngine, or a TopicTable."""

    def find(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None when there is none (any more)."""
        ...


class TopicTable:
    """A fixed set of topics, for shapes rendered outside the running bot."""

    def __init__(self, topics: Iterable[Topic] = ()) -> None:
        """Index the topics by id."""
        self._topics = {topic.id: topic for topic in topics}

    def find(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return self._topics.get(topic_id)


NO_TOPICS = TopicTable()  # topics show as their ids


def ui_language(language: str) -> str:
    """The language a shape is written in: the chat's when Marsad speaks it, else English."""
    return language if language in LABELS else "en"


def labels(language: str) -> dict[str, str]:
    """The fixed labels in a chat's language."""
    return LABELS[ui_language(language)]


def topic_name(topic_id: str, language: str, book: TopicBook) -> str:
    """A topic's name in a language, else in English, else its id."""
    topic = book.find(topic_id)
    if topic is None:
        return topic_id
    return topic.names.get(language) or topic.names.get("en") or topic_id


def _hashtag_words(topic_id: str, language: str, book: TopicBook) -> str:
    """What a topic's hashtag is made of: its hashtag words, else its name, else its id."""
    topic = book.find(topic_id)
    if topic is None:
        return topic_id
    for lang in (language, "en"):
        if words := topic.hashtags.get(lang):
            return words
        if words := topic.names.get(lang):
            return words.lower()  # in lower case, as the built-in topics' hashtags are
    return topic_id


def hashtag(topic_id: str, language: str, book: TopicBook) -> str:
    """The topic as a hashtag in the chat's language; "" when nothing taggable is left."""
    words = _DIACRITICS.sub("", _hashtag_words(topic_id, ui_language(language), book))
    name = re.sub(r"\W+", "_", words).strip("_")[:MAX_HASHTAG]
    if not name:
        return ""
    if not re.search(r"[^\W\d_]", name):  # Telegram needs a letter in a hashtag
        name = f"topic_{name}"[:MAX_HASHTAG]
    return f"#{name}"


def hashtag_line(topic_ids: Sequence[str], language: str, book: TopicBook) -> str:
    """The topics' hashtags on one line, each kept whole in the line's direction."""
    rtl = ui_language(language) == "ar"
    tags = list(dict.fromkeys(t for t in (hashtag(x, language, book) for x in topic_ids) if t))
    return " ".join(wrap_if_foreign(tag, rtl=rtl) for tag in tags[:MAX_HASHTAGS])
