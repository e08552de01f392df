"""Search benchmark: p50 and p95 latency of /search over stored Arabic articles.

Run from the repository root:  .venv/bin/python bench/bench_search.py [--articles 100000]

Articles are synthetic but shaped like Arabic news: a headline and a body of 80 to 220
words drawn from a vocabulary written here (function words, general news words, one
subject's words per article, places, people), with clitics (و، ب، ل، ال) attached and the
occasional haraka or tatweel, published over a year by 60 feeds, a third of them tagged
with a topic. They are stored once on SQLite (a temporary file) and once on PostgreSQL
(127.0.0.1:5432, database `test`, in a private schema dropped afterwards), with the same
schema, triggers and indexes as Marsad, then queried through `Store.search`.

Query kinds: rare (a village named in a few dozen articles), common (a word in about one
article in eight), multi-word (two or three words of one subject), filtered (a frequent
word with topic: and since:, since: alone, or lang:). Queries are typed without hamza, as
people type them. Each query runs once to warm the caches, then `--rounds` times; the
figures are the wall time of `Store.search` for the first page of five (SQL, driver and
Python), p50 and p95 over every run of a kind.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bot.storage import Store, create_engine  # noqa: E402
from bot.storage import schema as t  # noqa: E402
from bot.storage.search import SearchQuery, query_terms  # noqa: E402
from classifiers import normalise_for_search  # noqa: E402

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
SEED = 20261129


def words(text: str) -> list[str]:
    """The space-separated words of a text."""
    return text.split()


FUNCTION = words(
    "في من على إلى عن مع أن التي الذي هذا هذه كان قد بين كما بعد قبل خلال حيث وفق منذ عند "
    "لدى أيضا كذلك ثم حتى إذ غير أكثر أمام"
)
GENERAL = words(
    "قال أعلن أكد أوضح أشار أضاف ذكر نقل أفاد صرح مصدر مسؤول الحكومة الوزير الرئيس الدولة "
    "البلاد العاصمة اليوم أمس الأسبوع الشهر العام الماضي المقبل الجديد الأول الثاني الأخير "
    "اجتماع مؤتمر بيان تقرير قرار خطة مشروع برنامج مرحلة وضع موقف جهود دعم تعاون علاقات "
    "الوطني الدولي الإقليمي المحلي الرسمي العربي العالمي الكبير الصغير الواسع المهم الخاص "
    "العامة السياسية الاقتصادية الاجتماعية الأمنية الإنسانية القانونية المدنية العسكرية "
    "مجلس لجنة هيئة وزارة مؤسسة منظمة جامعة شركة حزب حركة قوات جيش شرطة محكمة برلمان "
    "المواطنين السكان الشعب الشباب النساء الأطفال العمال الطلاب اللاجئين المسؤولين الخبراء "
    "المتحدث الناطق الأمين المدير الممثل المبعوث السفير القائد العضو الرئيسي النائب "
    "أجل إطار ظل نحو ضد بشأن حول عبر لدعم لتعزيز لمواجهة بهدف بسبب نتيجة إثر عقب "
    "يوم ساعات دقائق ليلة صباح مساء الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت"
)
SUBJECTS: dict[str, tuple[str | None, str]] = {
    "terrorism": (
        "terrorism",
        "إرهاب إرهابي الإرهابية الإرهابيين هجوم هجمات تفجير انفجار انتحاري مسلحين مسلح "
        "داعش القاعدة تنظيم خلية خلايا متطرف التطرف اعتقال مداهمة عبوة ناسفة ضحايا قتلى "
        "جرحى استهدف نقطة أمنية مكافحة",
    ),
    "cyber": (
        "cybersecurity",
        "اختراق قراصنة هجوم إلكتروني برمجيات خبيثة فدية تسريب بيانات ثغرة أمنية شبكة "
        "خوادم الأمن السيبراني حماية كلمات المرور تشفير فيروس منصة رقمية حسابات",
    ),
    "diplomacy": (
        "arab_russia_diplomacy",
        "موسكو روسيا الروسي الكرملين لافروف بوتين زيارة مباحثات محادثات وفد سفارة دبلوماسي "
        "الدبلوماسية العلاقات الثنائية التعاون الاستراتيجي قمة اتفاق مذكرة تفاهم وزير الخارجية",
    ),
    "economy": (
        None,
        "اقتصاد الاقتصاد أسعار النفط التضخم البنك المركزي الفائدة الاستثمار صادرات واردات "
        "الميزانية العجز النمو الأسواق البورصة الأسهم الدولار العملة الديون الضرائب",
    ),
    "sport": (
        None,
        "مباراة المنتخب الدوري البطولة كأس هدف أهداف اللاعب المدرب الفريق الملعب الجماهير "
        "الفوز الخسارة التعادل نهائي تأهل الموسم",
    ),
    "culture": (
        None,
        "معرض الكتاب مهرجان السينما فيلم رواية الشاعر المسرح الفنان الموسيقى التراث متحف "
        "جائزة الثقافة الأدب افتتاح عرض",
    ),
    "health": (
        None,
        "الصحة المستشفى الأطباء المرضى الوباء اللقاح العلاج الدواء الإصابات الفيروس "
        "المستشفيات الرعاية الطبية العدوى",
    ),
    "weather": (
        None,
        "الطقس الأمطار العاصفة الفيضانات درجات الحرارة الرياح الثلوج موجة الجفاف الأرصاد",
    ),
}
PLACES = words(
    "القاهرة بغداد دمشق بيروت عمان الرياض الدوحة أبوظبي دبي الكويت المنامة مسقط صنعاء "
    "الخرطوم طرابلس تونس الجزائر الرباط نواكشوط القدس غزة الموصل حلب إدلب عدن سيناء "
    "الأنبار درعا بنغازي مأرب كركوك البصرة الإسكندرية وهران مراكش"
)
FIRST = words("محمد أحمد علي حسن خالد عمر يوسف إبراهيم سعيد كريم فاطمة مريم ليلى سارة نور")
LAST = words(
    "العبدالله الحسيني المصري الشمري القحطاني الزعبي الخطيب النجار الحداد البزاز الطحان "
    "السراج الفارس الدباغ الصباغ الجبوري العطار الكيلاني الشهابي المالكي"
)
# Villages and small towns: each named in a few dozen articles of 100,000.
RARE = words(
    "تلكيف سنجار الحويجة القائم عنه راوة هيت حديثة الشرقاط طوز بعقوبة المقدادية خانقين "
    "جلولاء سامراء بلد الدجيل تكريت بيجي العلم الضلوعية الطارمية اللطيفية جرف المحمودية "
    "اليوسفية الإسحاقي الصويرة النعمانية الحي بدرة جصان"
)
CLITICS = ("", "", "", "", "و", "ب", "ل", "ف")
HARAKAT = "\u064e\u064f\u0650\u0652"


def weighted(words: list[str], exponent: float) -> list[float]:
    """Zipf-like weights: the first words of a list are the most frequent."""
    return [1.0 / (rank + 2) ** exponent for rank in range(len(words))]


@dataclass(frozen=True, slots=True)
class Corpus:
    """Generated articles as table rows, and each norm key's document frequency."""

    articles: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    df: Counter[str]


def dress(word: str, rng: random.Random) -> str:
    """A word as a publisher may print it: sometimes a clitic, a haraka or a tatweel."""
    roll = rng.random()
    if roll < 0.12 and not word.startswith("ال"):
        word = rng.choice(CLITICS) + word
    elif roll < 0.14 and len(word) > 3:
        word = word[:2] + rng.choice(HARAKAT) + word[2:]
    elif roll < 0.15 and len(word) > 3:
        word = word[:2] + "\u0640" + word[2:]
    return word


def generate(count: int) -> Corpus:
    """count articles, their topic rows, and the document frequency of every index key."""
    rng = random.Random(SEED)
    general_w = weighted(GENERAL, 0.9)
    place_w = weighted(PLACES, 1.1)
    names = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(names)
    name_w = weighted(names, 1.2)
    subjects = list(SUBJECTS)
    subject_w = [3, 2, 2, 3, 3, 1, 1, 1]
    start = NOW - timedelta(days=365)
    articles, topics, df = [], [], Counter[str]()
    for n in range(count):
        subject = rng.choices(subjects, subject_w)[0]
        topic, vocabulary = SUBJECTS[subject]
        own = vocabulary.split()
        place = rng.choices(PLACES, place_w)[0]
        person = rng.choices(names, name_w)[0]
        title_words = [*rng.sample(own, 3), *rng.choices(GENERAL, general_w, k=3), "في", place]
        rng.shuffle(title_words)
        body: list[str] = []
        for _ in range(rng.randint(6, 14)):  # sentences
            body += rng.choices(GENERAL, general_w, k=rng.randint(4, 8))
            body += rng.choices(FUNCTION, k=rng.randint(2, 4))
            body += rng.choices(own, k=rng.randint(2, 5))
            if rng.random() < 0.3:
                body += person.split()
            if rng.random() < 0.3:
                body.append(rng.choices(PLACES, place_w)[0])
            if rng.random() < 0.001:
                body.append(rng.choice(RARE))
            body[-1] += "."
        title = " ".join(dress(w, rng) for w in title_words)
        text = " ".join(dress(w, rng) for w in body)
        norm = normalise_for_search(f"{title}\n{text}")
        df.update(set(norm.split()))
        published = start + timedelta(seconds=int(365 * 86400 * (n + rng.random()) / count))
        url = f"https://news{n % 60}.example/{n}"
        articles.append(
            {
                "id": n + 1,
                "feed_id": n % 60 + 1,
                "entry_key": url,
                "url": url,
                "title_hash": hashlib.sha1(url.encode()).hexdigest(),
                "title": title,
                "text": text,
                "norm_text": norm,
                "language": "ar" if rng.random() < 0.95 else "en",
                "published": published,
                "fetched_at": published,
            }
        )
        if topic is not None and rng.random() < 0.8:
            evidence = '["bench"]'
            topics.append({"article_id": n + 1, "topic": topic, "score": 5.0, "evidence": evidence})
    return Corpus(articles, topics, df)


def key(word: str) -> str:
    """The index key of one word."""
    return normalise_for_search(word)


def pick_queries(corpus: Corpus, count: int) -> dict[str, list[SearchQuery]]:
    """About ten queries per kind, chosen by how many articles they hit."""
    rng = random.Random(SEED + 1)
    df, total = corpus.df, count
    vocabulary = sorted({w for v in SUBJECTS.values() for w in v[1].split()} | set(GENERAL))
    # Query forms as typed: hamza dropped, now and then a haraka.
    typed = {w: w.replace("أ", "ا").replace("إ", "ا") for w in vocabulary}
    common = [w for w in vocabulary if 0.08 * total <= df[key(w)] <= 0.16 * total]
    mid = [w for w in vocabulary if 0.01 * total <= df[key(w)] <= 0.06 * total]
    rare = rng.sample([w for w in RARE if df[key(w)] > 0], 10)
    pairs = []
    for subject in SUBJECTS.values():
        own = [w for w in subject[1].split() if w in mid or w in common]
        if len(own) >= 3:
            pairs.append(" ".join(typed[w] for w in rng.sample(own, 2)))
            pairs.append(" ".join(typed[w] for w in rng.sample(own, 3)))
    common = rng.sample(common, min(10, len(common)))
    # Filters on words every subject uses, so each filter leaves something to find.
    shared = [w for w in GENERAL if 0.05 * total <= df[key(w)] <= 0.3 * total]
    shared = rng.sample(shared, min(10, len(shared)))
    week = NOW - timedelta(days=7)
    month = NOW - timedelta(days=30)
    filtered = (
        [SearchQuery(typed[w], topic="terrorism", since=month) for w in shared[:4]]
        + [SearchQuery(typed[w], since=week) for w in shared[4:7]]
        + [SearchQuery(typed[w], language="en") for w in shared[7:10]]
    )
    return {
        "rare": [SearchQuery(w) for w in rare],
        "common": [SearchQuery(typed[w]) for w in common],
        "multi-word": [SearchQuery(q) for q in pairs[:10]],
        "filtered": filtered,
    }


def batches(rows: list[dict[str, Any]], size: int = 2000) -> Iterator[list[dict[str, Any]]]:
    """rows in slices of size."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def load(store: Store, corpus: Corpus) -> float:
    """Store the feeds, articles and topics; return the seconds it took."""
    began = time.perf_counter()
    feeds = [
        {
            "id": i,
            "url": f"https://news{i - 1}.example/rss",
            "title": f"مصدر {i}",
            "created_at": NOW - timedelta(days=400),
        }
        for i in range(1, 61)
    ]
    async with store.engine.begin() as conn:
        await conn.execute(t.feeds.insert(), feeds)
        for rows in batches(corpus.articles):
            await conn.execute(t.articles.insert(), rows)
        for rows in batches(corpus.topics):
            await conn.execute(t.article_topics.insert(), rows)
    async with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            await conn.exec_driver_sql("ANALYZE")
            await conn.exec_driver_sql("SELECT setval('articles_id_seq', 1000000)")
        else:  # FTS5 segments stay as the inserts left them (no 'optimize'), as in use
            await conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - began


async def measure(
    store: Store, corpus: Corpus, queries: dict[str, list[SearchQuery]], rounds: int
) -> dict[str, tuple[float, float, float, float]]:
    """Per kind: p50 and p95 milliseconds, median matching articles, timed runs."""
    for kind_queries in queries.values():  # warm the caches once
        for query in kind_queries:
            await store.search(query, now=NOW)
    out = {}
    for kind, kind_queries in queries.items():
        times: list[float] = []
        for _ in range(rounds):
            for query in kind_queries:
                began = time.perf_counter()
                page = await store.search(query, now=NOW)
                times.append((time.perf_counter() - began) * 1000)
                assert page.hits, f"no hits for {query}"
        cuts = statistics.quantiles(times, n=20)
        hits = [matches(corpus, q) for q in kind_queries]
        out[kind] = (statistics.median(times), cuts[18], statistics.median(hits), len(times))
    return out


def matches(corpus: Corpus, query: SearchQuery) -> int:
    """How many articles match a query, counted in Python (for the report only)."""
    terms = query_terms(query.text, query.language)
    tagged = {row["article_id"] for row in corpus.topics if row["topic"] == query.topic}
    count = 0
    for article in corpus.articles:
        if query.since and article["published"] < query.since:
            continue
        if query.language and article["language"] != query.language:
            continue
        if query.topic and article["id"] not in tagged:
            continue
        keys = set(article["norm_text"].split())
        count += all(any(k in keys for k in alternatives) for alternatives in terms)
    return count


async def sqlite_store(directory: Path) -> Store:
    """A migrated store on a new SQLite file."""
    store = Store(create_engine(f"sqlite+aiosqlite:///{directory / 'bench.db'}"))
    await store.migrate()
    return store


async def run(count: int, rounds: int) -> None:
    """Generate, load, measure on both databases, print."""
    began = time.perf_counter()
    corpus = generate(count)
    print(f"generated {count:,} articles in {time.perf_counter() - began:.1f}s", flush=True)
    queries = pick_queries(corpus, count)
    for kind, kind_queries in queries.items():
        shown = ", ".join(q.text for q in kind_queries[:3])
        print(f"  {kind}: {len(kind_queries)} queries, e.g. {shown}", flush=True)
    results: dict[str, dict[str, tuple[float, float, float, float]]] = {}
    with tempfile.TemporaryDirectory() as directory:
        store = await sqlite_store(Path(directory))
        try:
            print(f"sqlite: loaded in {await load(store, corpus):.1f}s", flush=True)
            results["sqlite"] = await measure(store, corpus, queries, rounds)
        finally:
            await store.close()
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_DSN)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        engine = create_engine(
            POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
        )
        store = Store(engine)
        try:
            await store.migrate()
            print(f"postgresql: loaded in {await load(store, corpus):.1f}s", flush=True)
            results["postgresql"] = await measure(store, corpus, queries, rounds)
        finally:
            await store.close()
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
    print(f"\n/search over {count:,} articles, first page of 5 (milliseconds)", flush=True)
    head = f"{'database':<11} {'kind':<11} {'p50':>7} {'p95':>7} {'matches':>8} {'runs':>5}"
    print(head, flush=True)
    for database, kinds in results.items():
        for kind, (p50, p95, hits, runs) in kinds.items():
            flag = "" if p95 < 50 else "  over 50 ms"
            row = f"{database:<11} {kind:<11} {p50:7.1f} {p95:7.1f} {hits:8.0f} {runs:5.0f}"
            print(row + flag, flush=True)


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="times each query is timed")
    args = parser.parse_args()
    asyncio.run(run(args.articles, args.rounds))


if __name__ == "__main__":
    main()
