"""The live topic rules: built-ins seeded from config/topics.toml, edits kept in the store."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.classify import Rules
from bot.render import topic_name
from bot.storage.protocols import TopicStore
from classifiers import (
    Classification,
    Classifier,
    Topic,
    load_topics_toml,
    normalise_for_search,
    topic_from_dict,
    topic_to_dict,
)

log = logging.getLogger(__name__)


class TopicEngine:
    """Holds the classifier built from the store's topics; rebuilt when admins edit them."""

    def __init__(self, store: TopicStore) -> None:
        """Start with no topics; call `load()`."""
        self.store = store
        self.topics: list[Topic] = []
        self._by_id: dict[str, Topic] = {}
        self.rules = Rules()  # the definitions as worker processes receive them
        self.classifier = Classifier([])

    async def seed(self, topics_toml: str, *, now: datetime) -> int:
        """Add the built-in topics (config/topics.toml's text) the database does not have."""
        topics = load_topics_toml(topics_toml)
        added = await self.store.seed_topics([topic_to_dict(t) for t in topics], now=now)
        if added:
            log.info("seeded %d built-in topics", added)
        for topic in topics:
            await self._add_hashtags(topic, now=now)
        return added

    async def _add_hashtags(self, builtin: Topic, *, now: datetime) -> None:
        """Give a built-in topic stored before topics had hashtags the file's hashtags."""
        row = await self.store.topic_row(builtin.id)
        if row is None or not row.builtin or not builtin.hashtags or "hashtags" in row.definition:
            return
        definition = {**row.definition, "hashtags": dict(builtin.hashtags)}
        await self.store.save_topic(definition, enabled=row.enabled, now=now)
        log.info("topic %s: hashtags added from the topics file", builtin.id)

    async def load(self) -> None:
        """Rebuild the classifier from the enabled topics in the store."""
        definitions = await self.store.topic_definitions()
        self.topics = [topic_from_dict(d) for d in definitions]
        self._by_id = {topic.id: topic for topic in self.topics}
        self.rules = Rules.of(definitions)
        self.classifier = Classifier(self.topics)
        log.info("topics loaded: %s", ", ".join(d["id"] for d in definitions) or "none")

    def resolve(self, name: str) -> str | None:
        """The id of the topic a user named by id or by a name in any language."""
        wanted = _name_key(name)
        for topic in self.topics:
            keys = {_name_key(topic.id)} | {_name_key(n) for n in topic.names.values()}
            if wanted in keys:
                return topic.id
        return None

    def find(self, topic_id: str) -> Topic | None:
        """The live topic with this id (bot.render looks up names and hashtags here)."""
        return self._by_id.get(topic_id)

    def name(self, topic_id: str, language: str) -> str:
        """A topic's name in a language, else in English, else its id."""
        return topic_name(topic_id, language, self)

    def classify_text(self, title: str, text: str, lang: str | None = None) -> Classification:
        """Classify a text with the live rules."""
        return self.classifier.classify(title, text, lang)


def _name_key(name: str) -> str:
    """A topic name as users may type it: any case, hamza, diacritics, _ or - or spaces."""
    return normalise_for_search(name.replace("_", " ").replace("-", " ")).replace(" ", "")
