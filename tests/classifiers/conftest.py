"""Fixtures for the classifier tests: the built-in topics and paths to the shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers import Classifier, Topic, load_topics_toml

ROOT = Path(__file__).resolve().parents[2]
TOPICS_TOML = ROOT / "config" / "topics.toml"
# CI runs in a fresh clone with the shared data beside it, as ../shared.
SHARED_DATA = ROOT / ".." / "shared" / "data"
DEV_SET = SHARED_DATA / "dev.jsonl"
SEED_ARTICLE = SHARED_DATA / "seed" / "000_dfc249105325c15b.txt"


@pytest.fixture(scope="session")
def topics() -> list[Topic]:
    """The built-in topics, read from config/topics.toml."""
    return load_topics_toml(TOPICS_TOML.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def classifier(topics: list[Topic]) -> Classifier:
    """A classifier over the built-in topics."""
    return Classifier(topics)


def topic_by_id(topics: list[Topic], topic_id: str) -> Topic:
    """One built-in topic by id."""
    return next(t for t in topics if t.id == topic_id)
