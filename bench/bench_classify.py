"""Classification benchmark: articles per second on one core, beside the normalisation pass.

Run from the repository root:  .venv/bin/python bench/bench_classify.py [--seconds N]

Articles are real-size (about 1,200 characters) Arabic texts assembled at run time from the
Arabic articles of ../shared/data/dev.jsonl (kept outside the project: the texts belong to
their publishers); nothing of them is written anywhere. Every built-in topic is active.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.__main__ import load_classifier  # noqa: E402
from classifiers.text import analyse, clear_caches  # noqa: E402

DEV = ROOT / ".." / "shared" / "data" / "dev.jsonl"
ARTICLE_CHARS = 1200


def build_articles(path: Path, size: int = ARTICLE_CHARS) -> list[tuple[str, str]]:
    """(title, body) pairs of about size characters: each article's text, topped up by the next."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    arabic = [r for r in rows if r.get("lang") == "ar" and r.get("text")]
    texts = [r["text"] for r in arabic]
    out = []
    for i, row in enumerate(arabic):
        body = row["text"]
        j = i + 1
        while len(body) < size:
            body += "\n" + texts[j % len(texts)]
            j += 1
        out.append((row.get("title") or "", body[:size]))
    return out


Classify = Callable[[str, str], object]


def rate(fn: Classify, articles: list[tuple[str, str]], seconds: float) -> float:
    """Best of five runs of articles per second, each run at least seconds/5 long."""
    runs = []
    for _ in range(5):
        done = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 5:
            for title, body in articles:
                fn(title, body)
            done += len(articles)
        runs.append(done / elapsed)
    return max(runs)


def cold(fn: Classify, articles: list[tuple[str, str]]) -> float:
    """Articles per second when every token is new (caches emptied before each article)."""
    start = time.perf_counter()
    for title, body in articles:
        clear_caches()
        fn(title, body)
    return len(articles) / (time.perf_counter() - start)


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    args = parser.parse_args()
    if not DEV.exists():
        print(f"no articles to measure: {DEV} is missing", file=sys.stderr)
        return 1
    articles = build_articles(DEV)
    classifier = load_classifier()
    entries = sum(len(v) for v in classifier._index("ar").values())

    def normalise(title: str, body: str) -> object:
        """The normalisation pass alone: tokenise, fold, stem title and body."""
        return analyse(title, "ar"), analyse(body, "ar")

    def classify(title: str, body: str) -> object:
        """Full classification, language detected from the text."""
        return classifier.classify(title, body)

    chars = statistics.mean(len(t) + len(b) for t, b in articles)
    print(f"{len(articles)} Arabic articles, mean {chars:.0f} characters (title + body)")
    print(f"{len(classifier.topics)} topics, {entries} indexed Arabic terms; one core")
    norm = rate(normalise, articles, args.seconds)
    full = rate(classify, articles, args.seconds)
    print(f"normalisation pass alone:   {norm:8.0f} articles/s  ({1e6 / norm:6.1f} µs/article)")
    print(f"classification, all topics: {full:8.0f} articles/s  ({1e6 / full:6.1f} µs/article)")
    print(f"classification / normalisation cost: {norm / full:.2f}x")
    cold_norm = cold(normalise, articles)
    cold_full = cold(classify, articles)
    print(
        f"cold caches (camel-tools chain on every token): normalisation {cold_norm:.0f}/s, "
        f"classification {cold_full:.0f}/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
