"""Story threading benchmark: articles per second on one core against a full 48-hour window.

Run from the repository root:  .venv/bin/python -m bench stories [--window-articles 50000]

The stream is synthetic (nothing is read or written): Arabic-script words drawn from a
Zipf-like vocabulary, so common words are common and most words are rare, and stories
whose reports share their own names, places and figures, one to a dozen reports each,
about 1,200 characters an article as in the dev set. Articles arrive evenly, so the 48-hour
window holds --window-articles of them; the clock runs only once the window is full, when
every article is compared with a full window and old stories and counts are being evicted.
Peak memory is the process's resident set (max RSS) grown while threading.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.stories import StoryArticle, StoryThreader  # noqa: E402

WINDOW = timedelta(hours=48)
CHUNK = 1000
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
PREFIXES = ("", "", "", "ال", "وال", "بال", "لل", "و")


def make_vocabulary(rng: random.Random, size: int) -> list[str]:
    """Distinct Arabic-script words of three to eight letters."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8))))
    return sorted(words)


class Stream:
    """Synthetic articles: background words by rank, story names, a few figures."""

    def __init__(self, seed: int = 7, vocabulary: int = 60_000) -> None:
        """A reproducible stream."""
        self.rng = random.Random(seed)
        self.words = make_vocabulary(self.rng, vocabulary)
        # Zipf-like weights: the word of rank r is drawn in proportion to 1 / r.
        self.cumulative: list[float] = []
        total = 0.0
        for rank in range(1, vocabulary + 1):
            total += 1.0 / rank
            self.cumulative.append(total)
        # (story, its names and figures, its wire copy, reports left)
        self.open: list[tuple[str, list[str], list[str], int]] = []
        self.serial = 0

    def word(self) -> str:
        """One background word with a random attached article or conjunction."""
        rng = self.rng
        index = self.bisect(rng.random() * self.cumulative[-1])
        return rng.choice(PREFIXES) + self.words[index]

    def bisect(self, x: float) -> int:
        """Index of the first cumulative weight above x."""
        lo, hi = 0, len(self.cumulative)
        cumulative = self.cumulative
        while lo < hi:
            mid = (lo + hi) // 2
            if cumulative[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def story(self) -> tuple[list[str], list[str]]:
        """An open story to report again, or a new one with its own names, figures, copy."""
        rng = self.rng
        if self.open and rng.random() < 0.5:
            i = rng.randrange(len(self.open))
            story, names, copy, left = self.open[i]
            if left <= 1:
                self.open[i] = self.open[-1]
                self.open.pop()
            else:
                self.open[i] = (story, names, copy, left - 1)
            return names, copy
        self.serial += 1
        rare = [self.words[rng.randrange(5_000, len(self.words))] for _ in range(5)]
        names = [*rare, str(rng.randint(2, 300))]
        copy = [self.word() for _ in range(60)]  # the wire copy outlets rewrite
        reports = min(12, int(rng.expovariate(0.4)))
        if reports:
            self.open.append((f"s{self.serial}", names, copy, reports))
        if len(self.open) > 400:
            self.open.pop(0)
        return names, copy

    def article(self, aid: int, published: datetime) -> StoryArticle:
        """One article of about 1,200 characters."""
        rng = self.rng
        names, copy = self.story()
        title = [*rng.sample(copy[:10], 2), *rng.sample(names, 3), self.word(), self.word()]
        body = [w for w in copy if rng.random() < 0.7] + [self.word() for _ in range(130)]
        for name in names:
            body.insert(rng.randrange(40), name)
        rng.shuffle(title)
        return StoryArticle(
            str(aid), " ".join(title), " ".join(body), published, "ar", f"feed{aid % 300}"
        )


def max_rss_mib() -> float:
    """The process's peak resident set so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window-articles", type=int, default=50_000)
    parser.add_argument("--measure", type=int, default=10_000, help="articles timed")
    args = parser.parse_args()
    fill, measure = args.window_articles, args.measure
    step = WINDOW / fill
    stream = Stream()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    print(f"building {fill + measure} synthetic articles ...", flush=True)
    articles = [stream.article(i, start + i * step) for i in range(fill + measure)]
    chars = sum(len(a.title) + len(a.text) for a in articles) / len(articles)
    rss_before = max_rss_mib()
    threader = StoryThreader(WINDOW)
    began = time.perf_counter()
    for a in articles[:fill]:
        threader.add(a)
    filled = time.perf_counter() - began
    print(
        f"window filled: {fill} articles in {filled:.1f} s ({fill / filled:.0f}/s), "
        f"{threader.open_stories} open stories, {threader.counted_terms} distinct terms"
    )
    # Chunks timed apart: a burst of load from elsewhere on the machine hits a few
    # chunks, and the median chunk is the cost without it; CPU time is the whole run's.
    rates = []
    cpu = time.process_time()
    for first in range(fill, fill + measure, CHUNK):
        chunk = articles[first : first + CHUNK]
        began = time.perf_counter()
        for a in chunk:
            threader.add(a)
        rates.append(len(chunk) / (time.perf_counter() - began))
    cpu_rate = measure / (time.process_time() - cpu)
    rate = statistics.median(rates)
    print(f"mean {chars:.0f} characters an article (title + body); one core")
    print(
        f"steady state against a full 48-hour window of {threader.counted_docs} articles: "
        f"{rate:.0f} articles/s ({1e6 / rate:.0f} µs/article; median of "
        f"{len(rates)} chunks of {CHUNK}, worst {min(rates):.0f}/s; by CPU time {cpu_rate:.0f}/s)"
    )
    print(
        f"memory: peak RSS grew {max_rss_mib() - rss_before:.0f} MiB while threading "
        f"(peak RSS {max_rss_mib():.0f} MiB, the articles themselves included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
