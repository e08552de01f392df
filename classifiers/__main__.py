"""Command line: classify JSON lines, evaluate a labelled file, or explain one text.

python -m classifiers classify < in.jsonl > out.jsonl
python -m classifiers evaluate FILE.jsonl
python -m classifiers explain "TEXT" [--title TITLE] [--lang ar|en|fr]
python -m classifiers stories [--window HOURS] < in.jsonl > out.jsonl
python -m classifiers stories-eval FILE.jsonl [--window HOURS] [--days FIRST-LAST]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from classifiers.classifier import Classification, Classifier, explain
from classifiers.evaluate import evaluate, format_report
from classifiers.stories import StoryThreader, article_from_json, decision_to_json
from classifiers.story_eval import evaluate_stories, format_story_report, one_per_article
from classifiers.topics import load_topics_toml

TOPICS_PATH = Path(__file__).resolve().parent.parent / "config" / "topics.toml"


def load_classifier(path: Path = TOPICS_PATH) -> Classifier:
    """The classifier for the built-in topics file."""
    return Classifier(load_topics_toml(path.read_text(encoding="utf-8")))


def to_json(article_id: Any, result: Classification) -> dict[str, Any]:
    """The output record of one classified article."""
    return {
        "id": article_id,
        "topics": list(result.topics),
        "scores": {r.topic: r.score for r in result.results},
        "evidence": {r.topic: list(r.evidence) for r in result.results if r.evidence},
    }


def classify_stream(classifier: Classifier, src: TextIO, dst: TextIO) -> int:
    """Classify JSON lines from src to dst in input order, one output line per input line."""
    errors = 0
    for lineno, line in enumerate(src, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("each line must be a JSON object")
            result = classifier.classify(
                str(row.get("title") or ""), str(row.get("text") or ""), row.get("lang") or None
            )
            record = to_json(row.get("id"), result)
        except ValueError as exc:
            # One bad line must not stop a stream; keep the line's place and say why.
            errors += 1
            print(f"line {lineno}: {exc}", file=sys.stderr)
            record = {"id": None, "error": str(exc)}
        dst.write(json.dumps(record, ensure_ascii=False) + "\n")
        dst.flush()
    return 1 if errors else 0


def thread_stream(window: timedelta, src: TextIO, dst: TextIO) -> int:
    """Thread JSON-lines articles from src, in order, to one decision line each on dst."""
    threader = StoryThreader(window)
    errors = 0
    for lineno, line in enumerate(src, 1):
        if not line.strip():
            continue
        try:
            decision = threader.add(article_from_json(json.loads(line)))
            record = decision_to_json(decision)
        except ValueError as exc:
            # As classify: a bad line keeps its place in the output and says why.
            errors += 1
            print(f"line {lineno}: {exc}", file=sys.stderr)
            record = {"id": None, "error": str(exc)}
        dst.write(json.dumps(record, ensure_ascii=False) + "\n")
        dst.flush()
    return 1 if errors else 0


def select_days(rows: list[dict[str, Any]], days: str | None) -> list[dict[str, Any]]:
    """The rows published on the FIRST-th to LAST-th distinct dates of the file (1-based)."""
    if not days:
        return rows
    first, _, last = days.partition("-")
    dates = sorted({str(r["published"])[:10] for r in rows})
    wanted = set(dates[int(first) - 1 : int(last or first)])
    return [r for r in rows if str(r["published"])[:10] in wanted]


def stories_eval(path: Path, window: timedelta, days: str | None) -> str:
    """Thread a labelled file and report B-cubed and alert figures beside the baseline."""
    rows = select_days(list(read_jsonl(path)), days)
    threader = StoryThreader(window)
    predicted = {}
    for row in rows:
        decision = threader.add(article_from_json(row))
        predicted[decision.id] = decision.story
    report = evaluate_stories(rows, predicted)
    return format_story_report(report, evaluate_stories(rows, one_per_article(rows)))


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand and return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m classifiers", description="Marsad topic classification."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("classify", help="JSON lines (id, title, text, lang) on stdin to stdout")
    ev = sub.add_parser("evaluate", help="precision, recall and F1 on a labelled JSON-lines file")
    ev.add_argument("file", type=Path)
    ex = sub.add_parser("explain", help="explain the decision on one text")
    ex.add_argument("text", help="the article; without --title, a first line is the headline")
    ex.add_argument("--title", default="")
    ex.add_argument("--lang", default=None)
    st = sub.add_parser("stories", help="thread JSON lines (id, title, text, published) by story")
    se = sub.add_parser("stories-eval", help="B-cubed and alerts per story on a labelled file")
    se.add_argument("file", type=Path)
    se.add_argument("--days", help="only the FIRST-LAST distinct dates of the file, e.g. 1-2")
    for p in (st, se):
        p.add_argument("--window", type=float, default=48.0, help="story window in hours")
    args = parser.parse_args(argv)
    if args.command == "stories":
        return thread_stream(timedelta(hours=args.window), sys.stdin, sys.stdout)
    if args.command == "stories-eval":
        print(stories_eval(args.file, timedelta(hours=args.window), args.days))
        return 0
    classifier = load_classifier()
    if args.command == "classify":
        return classify_stream(classifier, sys.stdin, sys.stdout)
    if args.command == "evaluate":
        print(format_report(evaluate(classifier, read_jsonl(args.file))))
        return 0
    title, text = args.title, args.text
    if not title and "\n" in text.strip():
        # Several lines and no --title: the first is the headline, as in a feed entry.
        title, text = text.strip().split("\n", 1)
    print(explain(classifier.classify(title, text, args.lang)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
