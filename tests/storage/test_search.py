"""Full-text search, identical on SQLite FTS5 and PostgreSQL: Arabic-aware, ranked, safe."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from bot.models import Entry, NewArticle, TopicMatch
from bot.storage import Store, create_engine, schema
from bot.storage.migrate import alembic_config
from bot.storage.search import SearchQuery, fts5_match, query_terms, tsquery
from classifiers import normalise_for_search

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def article(
    n: int,
    title: str,
    text: str = "",
    *,
    age: timedelta = timedelta(hours=1),
    topics: tuple[str, ...] = (),
    language: str = "ar",
) -> NewArticle:
    """A stored-to-be article indexed exactly as the pipeline indexes it."""
    entry = Entry(
        key=f"g{n}",
        url=f"https://news.example/{n}",
        title=title,
        text=text,
        published=NOW - age,
        title_hash=hashlib.sha1(f"{n}{title}".encode()).hexdigest(),
        language=language,
    )
    norm = normalise_for_search(f"{title}\n{text}")
    return NewArticle(entry, norm, language, tuple(TopicMatch(t, 5.0, ("x",)) for t in topics))


async def stored(store: Store, *items: NewArticle) -> None:
    """Store items under one feed."""
    feed = await store.add_feed("https://news.example/rss", title="وكالة الأنباء", now=NOW)
    await store.add_articles(feed, list(items), now=NOW, alert=False)


async def titles(store: Store, text: str = "", **filters: object) -> list[str]:
    """Titles of the first page for a query."""
    page = await store.search(SearchQuery(text, **filters), now=NOW)  # type: ignore[arg-type]
    return [hit.title for hit in page.hits]


async def test_hamza_diacritics_tatweel_and_clitics_find_the_plain_form(store: Store) -> None:
    await stored(
        store,
        article(1, "الحكومة تدين الهجوم الإرهابي في الشمال"),
        article(2, "مباحثات بموسكو حول التعاون"),
        article(3, "افتتاح معرض الكتاب"),
    )
    for query in ("الارهابي", "الإرهابي", "الإِرْهَابِيّ", "الإرهـــابي", "ارهابي"):
        assert await titles(store, query) == ["الحكومة تدين الهجوم الإرهابي في الشمال"], query
    assert await titles(store, "موسكو") == ["مباحثات بموسكو حول التعاون"]
    assert await titles(store, "كتاب") == ["افتتاح معرض الكتاب"]


async def test_every_word_must_match(store: Store) -> None:
    await stored(
        store,
        article(1, "هجوم إلكتروني على مصرف"),
        article(2, "هجوم مسلح في الصحراء"),
        article(3, "Ransomware attack on a hospital", language="en"),
    )
    assert await titles(store, "هجوم الكتروني") == ["هجوم إلكتروني على مصرف"]
    assert await titles(store, "hospital attacks") == ["Ransomware attack on a hospital"]
    assert await titles(store, "هجوم غواصة") == []


TITLE = "تنظيم داعش يتبنى الهجوم"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"داعش', [TITLE]),
        ("داعش AND OR NOT", []),  # plain words here, which the article lacks
        ("(داعش", [TITLE]),
        ("داعش*", [TITLE]),
        ("NEAR(داعش", []),
        ("^داعش", [TITLE]),
        ("'داعش'", [TITLE]),
        ("title:داعش", []),
        ("داعش -", [TITLE]),
        ("داعش + - ) \" ' :", [TITLE]),
        ("\\داعش", [TITLE]),
        ("داعش; DROP TABLE articles;--", []),
    ],
)
async def test_query_syntax_is_never_read_as_search_syntax(
    store: Store, query: str, found: list[str]
) -> None:
    await stored(store, article(1, TITLE))
    # No FTS5 or tsquery syntax error: punctuation is dropped, words are plain words.
    assert await titles(store, query) == found
    assert (await store.stats()).articles == 1


async def test_punctuation_only_finds_nothing(store: Store) -> None:
    await stored(store, article(1, "تنظيم داعش يتبنى الهجوم"))
    assert await titles(store, '"" () * :') == []


async def test_recent_relevant_first_and_pages_of_five(store: Store) -> None:
    items = [article(n, f"خبر رقم {n} عن الانتخابات", age=timedelta(days=n)) for n in range(12)]
    await stored(store, *items)
    query = SearchQuery("الانتخابات")
    first = await store.search(query, now=NOW)
    assert [hit.title for hit in first.hits] == [f"خبر رقم {n} عن الانتخابات" for n in range(5)]
    assert first.more
    second = await store.search(query, now=NOW, offset=5)
    expected = [f"خبر رقم {n} عن الانتخابات" for n in range(5, 10)]
    assert [hit.title for hit in second.hits] == expected
    third = await store.search(query, now=NOW, offset=10)
    assert len(third.hits) == 2 and not third.more
    hit = first.hits[0]
    assert (hit.source, hit.url, hit.published) == ("وكالة الأنباء", "https://news.example/0", NOW)


async def test_relevance_can_beat_a_little_recency(store: Store) -> None:
    await stored(
        store,
        article(1, "اقتصاد", "الإرهاب ذكر مرة واحدة في نص طويل " + "عن الاقتصاد والأسواق " * 20),
        article(2, "الإرهاب الإرهاب الإرهاب", "الإرهاب", age=timedelta(hours=3)),
    )
    assert (await titles(store, "الإرهاب"))[0] == "الإرهاب الإرهاب الإرهاب"


async def test_filters_topic_since_language_and_filters_alone(store: Store) -> None:
    await stored(
        store,
        article(1, "هجوم في المدينة", topics=("terrorism",), age=timedelta(hours=2)),
        article(2, "هجوم على الأسواق المالية", age=timedelta(hours=1)),
        article(3, "هجوم قديم في المدينة", topics=("terrorism",), age=timedelta(days=10)),
        article(4, "Attack on the city", topics=("terrorism",), language="en"),
    )
    assert await titles(store, "هجوم", topic="terrorism") == [
        "هجوم في المدينة",
        "هجوم قديم في المدينة",
    ]
    since = NOW - timedelta(days=1)
    recent = {"هجوم على الأسواق المالية", "هجوم في المدينة"}
    assert set(await titles(store, "هجوم", since=since)) == recent
    assert await titles(store, "attack", language="en") == ["Attack on the city"]
    assert await titles(store, "هجوم", language="en") == []
    # No words: the newest articles that pass the filters.
    assert await titles(store, topic="terrorism", since=since) == [
        "Attack on the city",
        "هجوم في المدينة",
    ]


def test_query_expressions_quote_every_key() -> None:
    terms = query_terms('بموسكو "داعش')
    assert terms == [("بموسكو", "موسكو"), ("داعش",)]
    assert fts5_match(terms) == '("بموسكو" OR "موسكو") AND "داعش"'
    assert tsquery(terms) == "('بموسكو' | 'موسكو') & ('داعش')"
    assert tsquery([("it's",)]) == "('it''s')"


async def test_sqlite_index_built_before_the_ascii_tokenizer_is_rebuilt(tmp_path: Path) -> None:
    store = Store(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"))
    try:
        async with store.engine.begin() as conn:
            await conn.run_sync(lambda sync: _upgrade_to(sync, "0003"))
        # Written as that revision's code wrote it: today's store threads stories (0006).
        async with store.engine.begin() as conn:
            await conn.run_sync(
                lambda sync: _insert_article(
                    sync, article(1, "Cyber attack on the ministry", language="en")
                )
            )
        await store.migrate()
        async with store.engine.connect() as conn:
            sql = await conn.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'article_search'")
            )
        assert "tokenize='ascii'" in sql
        assert await titles(store, "attacks") == ["Cyber attack on the ministry"]
        await stored(store, article(2, "الهجوم الإلكتروني على الوزارة"))
        assert await titles(store, "هجوم") == ["الهجوم الإلكتروني على الوزارة"]
    finally:
        await store.close()


def _insert_article(connection: Connection, item: NewArticle) -> None:
    """A feed and one article, inserted as rows (on a schema older than the store's)."""
    feed = connection.execute(
        schema.feeds.insert().values(url="https://news.example/rss", created_at=NOW)
    ).inserted_primary_key[0]
    entry = item.entry
    connection.execute(
        schema.articles.insert().values(
            feed_id=feed,
            entry_key=entry.key,
            url=entry.url,
            title_hash=entry.title_hash,
            title=entry.title,
            text=entry.text,
            norm_text=item.norm_text,
            language="en",
            published=entry.published,
            fetched_at=NOW,
        )
    )


def _upgrade_to(connection: Connection, revision: str) -> None:
    """Alembic upgrade to one revision on a synchronous connection."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
