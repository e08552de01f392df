"""Story threading: online decisions, the window, same-kind events kept apart, dev-set quality.

Pure unit tests on hand-written articles; the quality test reads the labelled stream from
../shared (the texts belong to their publishers) and skips when it is not beside the checkout.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from classifiers.stories import (
    StoryArticle,
    StoryParams,
    StoryThreader,
    article_from_json,
    decision_to_json,
    is_figure,
)
from classifiers.story_eval import evaluate_stories, one_per_article

from .conftest import SHARED_DATA

STORIES_DEV = SHARED_DATA / "stories-dev.jsonl"
T0 = datetime(2015, 8, 7, 9, 0, tzinfo=UTC)

# Unrelated news so that document frequencies tell common words from names.
FILLER = [
    ("ارتفاع أسعار النفط في الأسواق العالمية", "ارتفعت أسعار النفط اليوم مع تراجع المخزونات"),
    ("الهلال يفوز على النصر في الدوري", "فاز فريق الهلال على النصر بهدفين في مباراة الدوري"),
    ("أجواء حارة على معظم مناطق المملكة", "توقعت الأرصاد أجواء حارة مع رياح نشطة على المناطق"),
    ("افتتاح معرض الكتاب في جدة", "افتتح أمير المنطقة معرض الكتاب بمشاركة مئات دور النشر"),
    ("البورصة تغلق على ارتفاع", "أغلق مؤشر السوق على ارتفاع بدعم من أسهم البنوك والاتصالات"),
    ("وزير التعليم يدشن العام الدراسي", "دشن وزير التعليم العام الدراسي الجديد في مدارس المملكة"),
]

# Two suicide bombings of mosques on the same day, in Dammam and in Abha, two reports each.
DAMMAM_1 = (
    "مقتل 5 أشخاص في تفجير انتحاري استهدف مسجدا في الدمام",
    "قتل خمسة أشخاص وأصيب 12 آخرون في تفجير انتحاري استهدف مسجد العنود في حي العنود بمدينة "
    "الدمام شرقي المملكة ظهر الجمعة، وأعلن تنظيم داعش مسؤوليته عن الهجوم.",
)
DAMMAM_2 = (
    "داعش يتبنى تفجير مسجد العنود في الدمام",
    "أعلنت وزارة الداخلية مقتل خمسة أشخاص وإصابة 12 في التفجير الانتحاري الذي استهدف مسجد "
    "العنود في الدمام خلال صلاة الجمعة، وتبنى تنظيم داعش الهجوم.",
)
ABHA_1 = (
    "مقتل 3 أشخاص في تفجير انتحاري استهدف مسجدا في أبها",
    "قتل ثلاثة أشخاص وأصيب 7 آخرون في تفجير انتحاري استهدف مسجد قوات الطوارئ في مدينة أبها "
    "جنوب المملكة ظهر الجمعة، وأعلن تنظيم داعش مسؤوليته عن الهجوم.",
)
ABHA_2 = (
    "الداخلية: 3 قتلى في تفجير مسجد الطوارئ بأبها",
    "أعلنت وزارة الداخلية مقتل ثلاثة أشخاص وإصابة 7 في التفجير الانتحاري الذي استهدف مسجد "
    "قوات الطوارئ في أبها خلال صلاة الجمعة، وتبنى تنظيم داعش الهجوم.",
)

# A plain TF-IDF cosine: no names agreement, no figure or headline conflicts.
PLAIN = StoryParams(names_weight=0.0, names_min=0.0, figure_penalty=0.0, conflict_penalty=0.0)


def article(aid: str, title: str, text: str, at: datetime, feed: str = "") -> StoryArticle:
    """A hand-written Arabic article."""
    return StoryArticle(aid, title, text, at, "ar", feed)


def same_day_attacks() -> list[StoryArticle]:
    """Filler news, then the two bombings' reports interleaved as outlets publish them."""
    out = [
        article(f"f{i}", title, text, T0 + timedelta(minutes=i))
        for i, (title, text) in enumerate(FILLER)
    ]
    later = T0 + timedelta(hours=3)
    for i, (aid, (title, text)) in enumerate(
        [("d1", DAMMAM_1), ("a1", ABHA_1), ("d2", DAMMAM_2), ("a2", ABHA_2)]
    ):
        out.append(article(aid, title, text, later + timedelta(minutes=10 * i), f"outlet{i}"))
    return out


def stories_of(threader: StoryThreader, articles: list[StoryArticle]) -> dict[str, str]:
    """Article id -> story id for a stream."""
    return {d.id: d.story for d in (threader.add(a) for a in articles)}


def test_two_same_kind_events_in_different_cities_stay_apart() -> None:
    stories = stories_of(StoryThreader(), same_day_attacks())
    assert stories["d1"] == "d1"
    assert stories["a1"] == "a1"  # not swallowed by the Dammam story: it gets its own alert
    assert stories["d2"] == "d1"
    assert stories["a2"] == "a1"


def test_a_plain_cosine_joins_the_two_events() -> None:
    # What the guard is for: shared topical words alone put Abha into Dammam's story.
    stories = stories_of(StoryThreader(params=PLAIN), same_day_attacks())
    assert stories["a1"] == "d1"


def test_evidence_names_the_match_and_the_shared_terms() -> None:
    threader = StoryThreader()
    decisions = [threader.add(a) for a in same_day_attacks()]
    d2 = next(d for d in decisions if d.id == "d2")
    assert d2.evidence.reason == "joined"
    assert d2.evidence.matched == "d1"
    assert d2.evidence.score >= threader.params.threshold
    assert "عنود" in d2.evidence.shared  # the mosque's name, as a matching key
    a1 = next(d for d in decisions if d.id == "a1")
    assert a1.evidence.reason.startswith("new")
    assert a1.evidence.conflicts >= 1  # 3 dead in Abha against 5 in Dammam


def test_decisions_are_online_first_half_equals_whole_stream() -> None:
    stream = same_day_attacks()
    whole = [decision_to_json(d) for d in map(StoryThreader().add, stream)]
    half = len(stream) // 2
    first = [decision_to_json(d) for d in map(StoryThreader().add, stream[:half])]
    assert first == whole[:half]


def test_a_report_after_the_window_starts_a_new_story() -> None:
    threader = StoryThreader(window=timedelta(hours=48))
    for a in same_day_attacks():
        threader.add(a)
    assert threader.open_stories == len(FILLER) + 2
    title, text = DAMMAM_2
    inside = threader.add(article("d3", title, text, T0 + timedelta(hours=40)))
    assert inside.story == "d1"
    after = threader.add(article("d4", title, text, T0 + timedelta(hours=52)))
    # The Dammam story broke 49 hours before: closed, forgotten, and its counts with it.
    assert after.story == "d4"
    assert threader.open_stories == 1
    assert threader.counted_docs == 2  # d3 and d4: older articles left the counts


def test_memory_stays_bounded_by_the_window() -> None:
    threader = StoryThreader(window=timedelta(hours=2))
    for i in range(300):
        title, text = FILLER[i % len(FILLER)]
        threader.add(article(f"x{i}", f"{title} {i}", text, T0 + timedelta(minutes=5 * i)))
    # Two hours of articles every five minutes: 24 or 25 are kept, whatever the stream length.
    assert threader.counted_docs <= 25
    assert threader.open_stories <= 25


def test_naive_times_are_refused_and_json_times_default_to_utc() -> None:
    with pytest.raises(ValueError, match="timezone"):
        StoryThreader().add(StoryArticle("x", "t", "b", datetime(2015, 8, 7)))
    row: dict[str, Any] = {"id": 7, "title": "t", "published": "2015-08-07T09:00:00"}
    parsed = article_from_json({**row, "outlet": "Okaz"})
    assert parsed.published == T0 and parsed.feed == "Okaz" and parsed.id == "7"
    with pytest.raises(ValueError, match="published"):
        article_from_json({"id": 1})


def test_years_are_not_figures() -> None:
    assert is_figure("12") and is_figure("1263")
    assert not is_figure("2015") and not is_figure("1436") and not is_figure("عشر")


def test_bcubed_and_alerts_on_a_hand_checked_example() -> None:
    rows = [
        {"id": "1", "story": "A", "outlet": "x", "topics": ["terrorism"]},
        {"id": "2", "story": "A", "outlet": "y", "topics": ["terrorism"]},
        {"id": "3", "story": "B", "outlet": "x", "topics": ["terrorism"]},
        {"id": "4", "story": "B", "outlet": "z", "topics": ["terrorism"]},
        {"id": "5", "story": "C", "outlet": "z", "topics": []},
    ]
    # B's first report is swallowed by A's story; its second report is alerted on its own.
    report = evaluate_stories(rows, {"1": "1", "2": "1", "3": "1", "4": "4", "5": "5"})
    assert report.precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    assert report.recall == pytest.approx((1 + 1 + 1 / 2 + 1 / 2 + 1) / 5)
    assert report.alerts_per_story == pytest.approx((1 + 2) / 2)
    assert report.swallowed_share == pytest.approx(1 / 2)
    baseline = evaluate_stories(rows, one_per_article(rows))
    assert baseline.precision == 1.0 and baseline.alerts_per_story == 2.0


@pytest.fixture(scope="module")
def dev_rows() -> list[dict[str, Any]]:
    """The labelled story stream, in publication order."""
    if not STORIES_DEV.exists():
        pytest.skip(f"{STORIES_DEV} is absent")
    with STORIES_DEV.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_dev_stream_online_property(dev_rows: list[dict[str, Any]]) -> None:
    articles = [article_from_json(r) for r in dev_rows]
    whole = [decision_to_json(d) for d in map(StoryThreader().add, articles)]
    half = len(articles) // 2
    first = [decision_to_json(d) for d in map(StoryThreader().add, articles[:half])]
    assert first == whole[:half]


def test_dev_stream_quality_floor(dev_rows: list[dict[str, Any]]) -> None:
    threader = StoryThreader()
    predicted = {d.id: d.story for d in (threader.add(article_from_json(r)) for r in dev_rows)}
    report = evaluate_stories(dev_rows, predicted)
    baseline = evaluate_stories(dev_rows, one_per_article(dev_rows))
    # Measured 0.993 F1, 1.33 alerts, no event swallowed; the floors leave room for changes
    # that trade a little here for generality, not for a regression.
    assert report.f1 >= 0.95
    assert report.precision >= 0.97
    assert report.swallowed_share <= 0.03
    assert report.alerts_per_story <= 1.5
    assert report.alerts_per_story < baseline.alerts_per_story / 1.8
