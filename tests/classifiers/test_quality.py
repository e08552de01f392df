"""Quality on real articles: the labelled dev set and the seed article, read from ../shared.

The texts belong to their publishers and stay outside the project; these tests skip only
when the shared data is not beside the checkout.
"""

from __future__ import annotations

import json

import pytest

from classifiers import Classifier, evaluate
from classifiers.evaluate import ALL, Report

from .conftest import DEV_SET, SEED_ARTICLE

TOPICS = ("terrorism", "cybersecurity", "arab_russia_diplomacy")


@pytest.fixture(scope="module")
def report(classifier: Classifier) -> Report:
    """The evaluation of the built-in topics on the dev set."""
    if not DEV_SET.exists():
        pytest.skip(f"{DEV_SET} is absent")
    with DEV_SET.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return evaluate(classifier, rows)


def test_dev_set_is_the_expected_one(report: Report) -> None:
    assert report.articles >= 100


@pytest.mark.parametrize("topic", TOPICS)
def test_precision_per_topic(report: Report, topic: str) -> None:
    assert report.get(topic, ALL).precision >= 0.90


@pytest.mark.parametrize("topic", TOPICS)
def test_recall_per_topic(report: Report, topic: str) -> None:
    assert report.get(topic, ALL).recall >= 0.85


def test_macro_f1(report: Report) -> None:
    assert report.macro_f1 >= 0.90


def test_seed_article_carries_all_three_topics(classifier: Classifier) -> None:
    if not SEED_ARTICLE.exists():
        pytest.skip(f"{SEED_ARTICLE} is absent")
    lines = [line for line in SEED_ARTICLE.read_text(encoding="utf-8").splitlines() if line]
    # First line: the section; second: the headline; the last two: the comment form.
    title, body = lines[1], "\n".join(lines[2:-2])
    result = classifier.classify(title, body)
    assert result.language == "ar"
    assert set(result.topics) == set(TOPICS)
    for topic in TOPICS:
        assert any(e.endswith("(title)") for e in result.result(topic).evidence), topic
