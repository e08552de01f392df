"""Evaluation of story threading against gold story labels: B-cubed and the alerts it implies.

Rows are the labelled articles (id, story, outlet or feed, topics) in stream order; a
prediction maps each article id to the id of the story it was put in. The alert figures
simulate delivery: one alert per predicted story per topic.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GoldStory:
    """One gold story's figures under a prediction."""

    story: str
    articles: int
    outlets: int
    topics: tuple[str, ...]
    predicted: int  # distinct predicted stories its articles were put in
    alerts: int  # distinct predicted stories among its articles that carry a topic
    swallowed: bool  # its first article joined a story another gold story started
    intruders: int  # other gold stories' articles in the predicted story of its first article


@dataclass
class StoryReport:
    """B-cubed figures and the alert simulation for one prediction."""

    articles: int = 0
    precision: float = 0.0
    recall: float = 0.0
    predicted_stories: int = 0
    stories: list[GoldStory] = field(default_factory=list)

    @property
    def f1(self) -> float:
        """Harmonic mean of B-cubed precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def topic_stories(self) -> list[GoldStory]:
        """Gold stories whose articles carry a topic (each alerts at least one chat)."""
        return [s for s in self.stories if s.topics]

    @property
    def multi_outlet_topic_stories(self) -> list[GoldStory]:
        """Topic stories reported by several outlets: where threading saves alerts."""
        return [s for s in self.topic_stories if s.outlets > 1]

    @property
    def alerts_per_story(self) -> float:
        """Mean alerts a multi-outlet topic story produces (1.0 is the ideal)."""
        multi = self.multi_outlet_topic_stories
        return sum(s.alerts for s in multi) / len(multi) if multi else 0.0

    @property
    def swallowed_share(self) -> float:
        """Share of topic events never alerted: joined into another event's story."""
        topical = self.topic_stories
        return sum(s.swallowed for s in topical) / len(topical) if topical else 0.0


def _outlet(row: Mapping[str, Any]) -> str:
    """The outlet of a labelled row: `outlet`, else `feed`."""
    return str(row.get("outlet") or row.get("feed") or "")


def evaluate_stories(
    rows: Sequence[Mapping[str, Any]], predicted: Mapping[str, str]
) -> StoryReport:
    """Score predicted story ids against the rows' gold `story` labels."""
    ids = [str(r["id"]) for r in rows]
    gold = {str(r["id"]): str(r["story"]) for r in rows}
    pred = {i: str(predicted[i]) for i in ids}
    gold_members: dict[str, list[str]] = defaultdict(list)
    pred_members: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        gold_members[gold[i]].append(i)
        pred_members[pred[i]].append(i)
    pair_counts = Counter((gold[i], pred[i]) for i in ids)
    report = StoryReport(articles=len(ids), predicted_stories=len(pred_members))
    if not ids:
        return report
    # B-cubed: per article, the share of its predicted story that shares its gold story
    # (precision) and the share of its gold story that shares its predicted story (recall).
    report.precision = sum(pair_counts[gold[i], pred[i]] / len(pred_members[pred[i]]) for i in ids)
    report.recall = sum(pair_counts[gold[i], pred[i]] / len(gold_members[gold[i]]) for i in ids)
    report.precision /= len(ids)
    report.recall /= len(ids)
    by_id = {str(r["id"]): r for r in rows}
    starter = {p: gold[members[0]] for p, members in pred_members.items()}
    for story, members in gold_members.items():
        topics = sorted({t for i in members for t in by_id[i].get("topics") or ()})
        first_pred = pred[members[0]]
        report.stories.append(
            GoldStory(
                story=story,
                articles=len(members),
                outlets=len({_outlet(by_id[i]) for i in members}),
                topics=tuple(topics),
                predicted=len({pred[i] for i in members}),
                alerts=len({pred[i] for i in members if by_id[i].get("topics")}),
                swallowed=starter[first_pred] != story,
                intruders=sum(1 for i in pred_members[first_pred] if gold[i] != story),
            )
        )
    return report


def one_per_article(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The baseline prediction: every article its own story (one alert per article)."""
    return {str(r["id"]): str(r["id"]) for r in rows}


def summary_line(name: str, report: StoryReport) -> str:
    """One line of headline figures."""
    return (
        f"{name:<22} B-cubed P {report.precision:.3f} R {report.recall:.3f} F1 {report.f1:.3f}"
        f" | alerts/multi-outlet topic story {report.alerts_per_story:.2f}"
        f" | topic events swallowed {100 * report.swallowed_share:.1f}%"
        f" ({sum(s.swallowed for s in report.topic_stories)}/{len(report.topic_stories)})"
    )


def format_story_report(report: StoryReport, baseline: StoryReport) -> str:
    """Headline figures for a prediction and the one-alert-per-article baseline, then stories."""
    multi = report.multi_outlet_topic_stories
    lines = [
        f"{report.articles} articles, {len(report.stories)} gold stories, "
        f"{report.predicted_stories} predicted; {len(report.topic_stories)} topic stories, "
        f"{len(multi)} of them multi-outlet",
        summary_line("story threading", report),
        summary_line("one alert per article", baseline),
        "",
        "gold stories with several articles, or split, or swallowed:",
        f"{'story':<48} {'arts':>4} {'outl':>4} {'pred':>4} {'alrt':>4} {'intr':>4}  topics",
    ]
    for s in report.stories:
        if s.articles > 1 or s.swallowed or s.intruders:
            flag = "  SWALLOWED" if s.swallowed else ""
            lines.append(
                f"{s.story[:48]:<48} {s.articles:>4} {s.outlets:>4} {s.predicted:>4} "
                f"{s.alerts:>4} {s.intruders:>4}  {','.join(s.topics) or '-'}{flag}"
            )
    return "\n".join(lines)
