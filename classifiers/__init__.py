"""Topic classification for Marsad: pure text processing, no I/O outside __main__.

    classifier = Classifier(load_topics_toml(path.read_text()))   # build once
    result = classifier.classify(title, text)                      # lang detected if not given
    result.topics, result.result("terrorism").evidence, explain(result)

Topics are data (config/topics.toml, or JSON via topic_to_dict / topic_from_dict) and are
edited with the pure helpers with_term, without_term, with_exclusion, ... which validate.
normalise_for_search() gives the stems the classifier matches on, for a full-text index;
query_alternatives() gives the same keys for a query, one tuple of alternatives per word.
"""

from classifiers.classifier import Classification, Classifier, TopicResult, explain
from classifiers.evaluate import Report, evaluate, format_report
from classifiers.text import (
    detect_language,
    normalise_for_search,
    query_alternatives,
)
from classifiers.topics import (
    SCALAR_FIELDS,
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
    "SCALAR_FIELDS",
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
