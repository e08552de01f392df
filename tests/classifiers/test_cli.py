"""The command line, run as people and checks run it: a subprocess from the repository root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run python -m classifiers with arguments from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "classifiers", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


ARTICLES = [
    {"id": "a1", "title": "Hackers breach bank", "text": "Ransomware encrypted the servers."},
    {"id": 2, "title": "الطقس", "text": "أجواء معتدلة في معظم المناطق.", "lang": "ar"},
    {
        "id": "a3",
        "title": "هجوم انتحاري يستهدف مسجدا",
        "text": "تبنى تنظيم داعش الإرهابي الهجوم الانتحاري.",
    },
]


def test_classify_streams_in_input_order() -> None:
    stdin = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES)
    proc = run("classify", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a1", 2, "a3"]
    assert out[0]["topics"] == ["cybersecurity"]
    assert out[1]["topics"] == []
    assert out[2]["topics"] == ["terrorism"]
    assert set(out[0]["scores"]) == {"terrorism", "cybersecurity", "arab_russia_diplomacy"}
    assert "Hackers (title)" in out[0]["evidence"]["cybersecurity"]
    assert "داعش (body)" in out[2]["evidence"]["terrorism"]


def test_classify_keeps_going_after_a_bad_line() -> None:
    proc = run("classify", stdin='{"id": 1, "title": "x", "text": "y"}\nnot json\n[1]\n')
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines[0]["id"] == 1
    assert "error" in lines[1] and "error" in lines[2]
    assert proc.returncode == 1
    assert "line 2" in proc.stderr


def test_evaluate_reports_per_topic_and_language(tmp_path: Path) -> None:
    labelled = [
        {**ARTICLES[0], "lang": "en", "labels": ["cybersecurity"]},
        {**ARTICLES[1], "labels": []},
        {**ARTICLES[2], "lang": "ar", "labels": ["terrorism", "arab_russia_diplomacy"]},
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in labelled))
    proc = run("evaluate", str(path))
    assert proc.returncode == 0, proc.stderr
    rows = {tuple(line.split()[:2]): line.split() for line in proc.stdout.splitlines()}
    assert rows[("cybersecurity", "en")][2:5] == ["1.000", "1.000", "1.000"]
    assert rows[("arab_russia_diplomacy", "all")][3] == "0.000"  # recall: the one label missed
    assert "misclassified: 1" in proc.stdout
    assert "- a3 [ar] expected arab_russia_diplomacy,terrorism got terrorism" in proc.stdout


def test_explain() -> None:
    proc = run("explain", "اجتمع لافروف مع وزير الخارجية المصري في موسكو", "--lang", "ar")
    assert proc.returncode == 0, proc.stderr
    assert "YES arab_russia_diplomacy" in proc.stdout
    assert "لافروف (body)" in proc.stdout
    assert proc.stdout.strip().endswith("topics: arab_russia_diplomacy")


def test_explain_takes_a_first_line_as_the_headline() -> None:
    proc = run("explain", "Hackers hit ministry\nThe ministry said its website was defaced.")
    assert "Hackers (title)" in proc.stdout
    assert "YES cybersecurity" in proc.stdout


def test_usage_errors_exit_nonzero() -> None:
    assert run().returncode == 2
    assert run("evaluate").returncode == 2
