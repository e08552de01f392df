"""Evaluation against labelled articles: per-topic, per-language precision, recall and F1."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from classifiers.classifier import Classification, Classifier

ALL = "all"


@dataclass
class Counts:
    """True positives, false positives and false negatives of one topic in one slice."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of tagged articles that carry the label (1.0 when nothing was tagged)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of labelled articles that were tagged (1.0 when nothing is labelled)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Miss:
    """A misclassified article: what it should carry, what it got, and why."""

    id: str
    lang: str
    expected: tuple[str, ...]
    got: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]]
    scores: dict[str, float]


@dataclass
class Report:
    """Counts per (topic, language), languages including ALL, and the misses."""

    topics: tuple[str, ...]
    counts: dict[tuple[str, str], Counts] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    articles: int = 0

    def get(self, topic: str, lang: str = ALL) -> Counts:
        """Counts of one topic in one language (ALL for every language)."""
        return self.counts.setdefault((topic, lang), Counts())

    @property
    def macro_f1(self) -> float:
        """Mean F1 over topics, all languages together."""
        return sum(self.get(t).f1 for t in self.topics) / len(self.topics) if self.topics else 0.0

    def languages(self) -> list[str]:
        """Languages seen, sorted, then ALL."""
        langs = sorted({lang for _, lang in self.counts if lang != ALL})
        return [*langs, ALL]


def evaluate(classifier: Classifier, rows: Iterable[Mapping[str, Any]]) -> Report:
    """Classify labelled rows (id, title, text, labels, optional lang) and tally the result."""
    report = Report(tuple(t.id for t in classifier.topics))
    for row in rows:
        report.articles += 1
        lang = str(row.get("lang") or "unknown")
        result = classifier.classify(row.get("title") or "", row.get("text") or "", row.get("lang"))
        expected = set(row.get("labels") or ())
        _tally(report, lang, expected, result)
        if set(result.topics) != expected:
            evidence = {r.topic: r.evidence for r in result.results if r.evidence}
            scores = {r.topic: r.score for r in result.results}
            report.misses.append(
                Miss(
                    str(row.get("id")),
                    lang,
                    tuple(sorted(expected)),
                    result.topics,
                    evidence,
                    scores,
                )
            )
    return report


def _tally(report: Report, lang: str, expected: set[str], result: Classification) -> None:
    """Add one article's outcome to the counts of its language and of ALL."""
    got = set(result.topics)
    for topic in report.topics:
        for slot in (report.get(topic, lang), report.get(topic)):
            if topic in got and topic in expected:
                slot.tp += 1
            elif topic in got:
                slot.fp += 1
            elif topic in expected:
                slot.fn += 1


def format_report(report: Report) -> str:
    """The report as a plain-text table followed by the misclassified articles."""
    lines = [f"{report.articles} articles", ""]
    lines.append(f"{'topic':<24}{'lang':<6}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for topic in report.topics:
        for lang in report.languages():
            c = report.get(topic, lang)
            lines.append(
                f"{topic:<24}{lang:<6}{c.precision:7.3f}{c.recall:7.3f}{c.f1:7.3f}"
                f"{c.tp:5d}{c.fp:5d}{c.fn:5d}"
            )
    lines += ["", f"macro-F1 (all languages): {report.macro_f1:.3f}", ""]
    lines.append(f"misclassified: {len(report.misses)}")
    for miss in report.misses:
        expected = ",".join(miss.expected) or "-"
        got = ",".join(miss.got) or "-"
        lines.append(f"- {miss.id} [{miss.lang}] expected {expected} got {got}")
        for topic, evidence in miss.evidence.items():
            lines.append(f"    {topic} {miss.scores[topic]:g}: {'; '.join(evidence)}")
    return "\n".join(lines)
