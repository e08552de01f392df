"""Topic classification for Marsad: pure text processing, no I/O outside __main__."""

from classifiers.classifier import Classification, Classifier, TopicResult, explain
from classifiers.evaluate import Report, evaluate, format_report
from classifiers.text import (
    detect_language,
    normalise_for_search,
    query_alternatives,
)
from classifiers.topics import (
    Group,
    Term,
    Topic,
    load_topics_toml,
    topic_from_dict,
    topic_to_dict,
    validate_topic,
    with_exclusion,
    with_term,
    with_threshold,
    without_exclusion,
    without_term,
)

__all__ = [
    "Classification",
    "Classifier",
    "Group",
    "Report",
    "Term",
    "Topic",
    "TopicResult",
    "detect_language",
    "evaluate",
    "explain",
    "format_report",
    "load_topics_toml",
    "normalise_for_search",
    "query_alternatives",
    "topic_from_dict",
    "topic_to_dict",
    "validate_topic",
    "with_exclusion",
    "with_term",
    "with_threshold",
    "without_exclusion",
    "without_term",
]
