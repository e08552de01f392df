"""`python -m classifiers stories` and `stories-eval`, run as a subprocess from the root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import run
from .test_stories import same_day_attacks

pytestmark = pytest.mark.slow


def stream_lines() -> str:
    """The two same-day bombings as JSON lines, with `outlet` standing for `feed`."""
    rows = [
        {
            "id": a.id,
            "lang": "ar",
            "title": a.title,
            "text": a.text,
            "published": a.published.isoformat(),
            "outlet": a.feed,
        }
        for a in same_day_attacks()
    ]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_stories_prints_one_decision_per_article_in_order() -> None:
    proc = run("stories", stdin=stream_lines())
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out][-4:] == ["d1", "a1", "d2", "a2"]
    story = {o["id"]: o["story"] for o in out}
    assert (story["d1"], story["a1"], story["d2"], story["a2"]) == ("d1", "a1", "d1", "a1")
    d2 = out[-2]["evidence"]
    assert d2["reason"] == "joined" and d2["matched"] == "d1"
    assert {"similarity", "names", "score", "conflicts", "shared"} <= set(d2)


def test_stories_keeps_going_after_a_bad_line() -> None:
    good = '{"id": "x", "title": "t", "text": "b", "published": "2015-08-07T09:00:00+03:00"}\n'
    proc = run("stories", stdin=good + "not json\n" + '{"id": 2}\n' + good.replace('"x"', '"y"'))
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line.get("id") for line in lines] == ["x", None, None, "y"]
    assert proc.returncode == 1
    assert "line 2" in proc.stderr and "line 3: published is missing" in proc.stderr


def test_stories_eval_reports_threading_and_the_baseline(tmp_path: Path) -> None:
    gold = {"d1": "dammam", "d2": "dammam", "a1": "abha", "a2": "abha"}
    rows = [json.loads(line) for line in stream_lines().splitlines()]
    for row in rows:
        row["story"] = gold.get(row["id"], row["id"])
        row["topics"] = ["terrorism"] if row["id"] in gold else []
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    proc = run("stories-eval", str(path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("10 articles, 8 gold stories, 8 predicted")
    assert (
        "F1 1.000 | alerts/multi-outlet topic story 1.00 | topic events swallowed 0.0%" in lines[1]
    )
    assert lines[2].startswith("one alert per article")
    assert "alerts/multi-outlet topic story 2.00" in lines[2]
    assert any(line.startswith("abha ") for line in lines)
