"""The built-in topics as a renderer's TopicBook, for shapes rendered outside the bot."""

from __future__ import annotations

from bot.render import TopicTable
from classifiers import load_topics_toml
from config import TOPICS_FILE

BUILT_IN = TopicTable(load_topics_toml(TOPICS_FILE.read_text(encoding="utf-8")))
