"""Classification as the pipeline runs it, in this process or in worker processes.

This module imports no storage or Telegram code, so worker processes stay small.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.models import Entry, NewArticle, TopicMatch
from classifiers import Classifier, detect_language, topic_from_dict


@dataclass(frozen=True, slots=True)
class Rules:
    """Topic definitions as worker processes receive them, with a version to cache by.

    They travel as one JSON string, which pickles in a copy (every parse call carries
    them); a worker decodes it only when the version is new to it.
    """

    definitions_json: str = "[]"
    version: str = ""

    @classmethod
    def of(cls, definitions: list[dict[str, Any]]) -> Rules:
        """Rules for some definitions, versioned by a short hash of them."""
        text = json.dumps(definitions, sort_keys=True, ensure_ascii=False)
        return cls(text, hashlib.blake2b(text.encode(), digest_size=8).hexdigest())

    def classifier(self) -> Classifier:
        """A classifier built from these rules."""
        return Classifier([topic_from_dict(d) for d in json.loads(self.definitions_json)])


# The classifier a worker process built, and the rules version it was built from.
_worker_rules: tuple[str, Classifier] | None = None


def prepare_entry(classifier: Classifier, entry: Entry) -> NewArticle:
    """Classify an entry and build its search text from one analysis of its words."""
    # The text's own language beats the feed's tag: feeds mislabel items they syndicate.
    detected = detect_language(f"{entry.title}\n{entry.text[:600]}")
    result, search_text = classifier.classify_for_index(
        entry.title, entry.text, detected or entry.language
    )
    matches = tuple(TopicMatch(r.topic, r.score, r.evidence) for r in result.results if r.matched)
    return NewArticle(entry, search_text, result.language or entry.language, matches)


def prepare_entries(rules: Rules, entries: Sequence[Entry]) -> list[NewArticle]:
    """prepare_entry for a batch, in a worker process that keeps its classifier per version."""
    global _worker_rules
    if _worker_rules is None or _worker_rules[0] != rules.version:
        _worker_rules = (rules.version, rules.classifier())
    return [prepare_entry(_worker_rules[1], entry) for entry in entries]
