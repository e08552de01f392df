"""Admins edit topic filters from Telegram; the live rules change at once and are audited."""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from telegram import Bot

from bot.models import Entry, NewArticle
from bot.services import topics as service
from bot.services.topics import find_topic
from handlers import ROUTING, admin_topics
from handlers.admin_common import chunks
from handlers.admin_topics import ProgressMessage, terms_blocks
from tests.helpers.botapi import BotApiServer, SentMessage, message_update
from tests.helpers.rss import Item
from tests.telegram.admin_fixtures import (  # noqa: F401 - fixtures
    ADMIN,
    SEED,
    admin_newsroom,
    files_api,
)
from tests.telegram.conftest import QUIET, START, TERROR, Newsroom

SUBSCRIBER = 7201
NUCLEAR = Item(
    "n1",
    "افتتاح محطة نووية جديدة لتوليد الكهرباء",
    "أعلنت الحكومة تشغيل المحطة النووية بعد سنوات من البناء.",
    "https://news.example/nuclear-1",
    START + timedelta(minutes=5),
)
BOOKS_AGAIN = Item(
    "q2",
    "معرض الكتاب يستقبل آلاف الزوار في يومه الثاني",
    "واصل معرض الكتاب استقبال الزوار.",
    "https://news.example/books-2",
    START + timedelta(minutes=5),
)


async def reclassified(newsroom: Newsroom, text: str) -> SentMessage:
    """Send a /reclassify and wait until its message, edited in place, shows the outcome."""
    message = await newsroom.command(text, ADMIN, language_code="en")
    outcome = "the /reclassify outcome"
    await newsroom.api.wait_until(lambda: message.plain_text.startswith("Reclassified"), outcome)
    return message


async def test_a_topic_made_in_chat_with_one_term_routes_matching_articles(
    admin_newsroom: Newsroom,
) -> None:
    reply = await admin_newsroom.command(
        '/newtopic nuclear "الطاقة النووية" "Nuclear energy"', ADMIN, language_code="en"
    )
    assert reply.plain_text.startswith("Created topic nuclear")
    draft = await admin_newsroom.command("/terms nuclear", ADMIN, language_code="en")
    assert "draft" in draft.plain_text and "No terms yet" in draft.plain_text

    reply = await admin_newsroom.command('/addterm nuclear "محطة نووية"', ADMIN, language_code="en")
    assert "Added to nuclear" in reply.plain_text and "threshold 1" in reply.plain_text
    reply = await admin_newsroom.command("/subscribe nuclear", SUBSCRIBER)
    assert "تم الاشتراك" in reply.plain_text

    await admin_newsroom.publish(NUCLEAR, TERROR)

    [alert] = admin_newsroom.api.sent_to(SUBSCRIBER)[1:]
    assert NUCLEAR.title in alert.plain_text
    terms = await admin_newsroom.command("/terms nuclear", ADMIN, language_code="en")
    assert "enabled" in terms.plain_text and "محطة نووية" in terms.plain_text
    actions = [e.action for e in await admin_newsroom.marsad.store.audit_entries()]
    assert actions == ["topic.term.add", "topic.create"]


async def test_terms_exclusions_and_bad_terms(admin_newsroom: Newsroom) -> None:
    engine = admin_newsroom.marsad.topics
    text = "Hackathon winners announced at the cyber festival, with malware talks"
    before = engine.classify_text(text, "", "en").result("cybersecurity")
    reply = await admin_newsroom.command(
        '/exclude cybersecurity "cyber festival" 2', ADMIN, language_code="en"
    )
    assert reply.plain_text.startswith("Added exclusion")
    after = engine.classify_text(text, "", "en").result("cybersecurity")
    assert after.score < before.score and after.excluded

    reply = await admin_newsroom.command(
        "/addterm cybersecurity ransom.*", ADMIN, language_code="en"
    )
    assert (
        reply.plain_text.startswith("Nothing changed") and "regular expressions" in reply.plain_text
    )
    reply = await admin_newsroom.command(
        '/addterm terrorism "حزام ناسف" 4.5', ADMIN, language_code="en"
    )
    assert "weight 4.5" in reply.plain_text
    reply = await admin_newsroom.command("/removeterm terrorism داعش", ADMIN, language_code="en")
    assert reply.plain_text.startswith("Removed")
    assert engine.classify_text("داعش", "", "ar").result("terrorism").score == 0

    terms = await admin_newsroom.command("/terms الإرهاب", ADMIN, language_code="en")
    assert "threshold: 4" in terms.plain_text and "حزام ناسف" in terms.plain_text
    assert "داعش (3)" not in terms.plain_text
    [before_entry] = [
        e for e in await admin_newsroom.marsad.store.audit_entries() if e.action == "topic.term.add"
    ]
    assert '"weight": {"ar": 3.0}' in before_entry.before  # the change from 3 to 4.5
    unknown = await admin_newsroom.command("/terms horoscopes", ADMIN, language_code="en")
    assert unknown.plain_text.startswith("Unknown topics: horoscopes")


async def test_long_topics_are_listed_in_several_valid_messages(admin_newsroom: Newsroom) -> None:
    stored = await find_topic(
        admin_newsroom.marsad.store, admin_newsroom.marsad.topics, "arab_russia_diplomacy"
    )
    assert stored is not None
    expected = len(chunks(terms_blocks(stored, "en")))
    assert expected >= 2  # the built-in topic has hundreds of terms
    before = len(admin_newsroom.api.sent_to(ADMIN))
    update = message_update("/terms arab_russia_diplomacy", ADMIN, ADMIN, language_code="en")
    admin_newsroom.api.queue_update(update)
    parts = await admin_newsroom.api.wait_for_messages(before + expected, chat_id=ADMIN)
    text = "\n".join(p.plain_text for p in parts[before:])
    assert "group russia" in text and "group diplomacy" in text and "لافروف" in text


async def test_deltopic_disables_built_ins_and_deletes_admins_topics(
    admin_newsroom: Newsroom,
) -> None:
    marsad = admin_newsroom.marsad
    reply = await admin_newsroom.command("/deltopic terrorism", ADMIN, language_code="en")
    assert reply.plain_text.startswith("Disabled built-in topic terrorism")
    assert "terrorism" not in {t.id for t in marsad.topics.topics}
    assert await marsad.store.topic_row("terrorism") is not None  # kept, only disabled
    again = await admin_newsroom.command("/deltopic terrorism", ADMIN, language_code="en")
    assert "already disabled" in again.plain_text
    back = await admin_newsroom.command("/newtopic terrorism", ADMIN, language_code="en")
    assert back.plain_text.startswith("Enabled topic terrorism")
    assert "terrorism" in {t.id for t in marsad.topics.topics}

    await admin_newsroom.command('/newtopic sports "رياضة"', ADMIN, language_code="en")
    await admin_newsroom.command("/addterm sports football", ADMIN, language_code="en")
    await admin_newsroom.command("/subscribe sports", ADMIN, language_code="en")
    reply = await admin_newsroom.command("/deltopic sports", ADMIN, language_code="en")
    assert reply.plain_text.startswith("Deleted topic sports")
    assert await marsad.store.topic_row("sports") is None
    assert await marsad.store.subscriptions(ADMIN) == []
    bad = await admin_newsroom.command("/newtopic Bad-Id!", ADMIN, language_code="en")
    assert bad.plain_text.startswith("Nothing changed")


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/data/seed is not beside the checkout")
async def test_testfilter_on_the_seed_article_shows_all_three_built_in_topics(
    admin_newsroom: Newsroom,
) -> None:
    article = (SEED / "000_dfc249105325c15b.txt").read_text(encoding="utf-8")

    reply = await admin_newsroom.command(f"/testfilter {article}", ADMIN, language_code="en")

    text = reply.plain_text
    for topic in ("terrorism", "cybersecurity", "arab_russia_diplomacy"):
        assert f"✅ {topic}: score " in text, topic
    assert "threshold 4 — tagged" in text and "threshold 5.5 — tagged" in text
    assert "evidence: " in text and "الإرهاب" in text
    code = [e for e in reply.entities if e["type"] == "code"]
    assert len(code) == 3  # each topic id as written, in code


async def test_testfilter_on_a_url_and_on_text_that_matches_nothing(
    admin_newsroom: Newsroom,
) -> None:
    admin_newsroom.feeds.static(
        "/story.html",
        "<html><head><title>هجوم إرهابي لتنظيم داعش</title></head><body><p>تبنى تنظيم داعش "
        "الهجوم الإرهابي.</p></body></html>".encode(),
        content_type="text/html; charset=utf-8",
    )
    reply = await admin_newsroom.command(
        f"/testfilter {admin_newsroom.feeds.url('/story.html')}", ADMIN, language_code="en"
    )
    assert "✅ terrorism" in reply.plain_text and "▫️ cybersecurity" in reply.plain_text
    stored = await admin_newsroom.command(f"/testfilter {QUIET.link}", ADMIN, language_code="en")
    assert "▫️ terrorism" in stored.plain_text  # the stored article, not fetched
    plain = await admin_newsroom.command(
        "/testfilter <b>hello</b> & bye", ADMIN, language_code="en"
    )
    assert plain.plain_text.startswith("Filter test") and "✅" not in plain.plain_text


# An Arabic page in windows-1256: read as UTF-8 it is mojibake and matches no topic.
CP1256_PAGE = (
    "<html><head>{meta}<title>هجوم إرهابي لتنظيم داعش</title></head><body><p>تبنى تنظيم "
    "داعش الهجوم الإرهابي على السوق.</p></body></html>"
)


@pytest.mark.parametrize(
    ("meta", "content_type"),
    [
        ("", "text/html; charset=windows-1256"),  # declared by the server only
        ('<meta charset="windows-1256">', "text/html"),  # declared by the page only
        ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">', None),
    ],
)
async def test_testfilter_reads_a_page_in_the_charset_it_declares(
    admin_newsroom: Newsroom, meta: str, content_type: str | None
) -> None:
    body = CP1256_PAGE.format(meta=meta).encode("cp1256")
    admin_newsroom.feeds.static("/cp1256.html", body, content_type=content_type)

    url = admin_newsroom.feeds.url("/cp1256.html")
    reply = await admin_newsroom.command(f"/testfilter {url}", ADMIN, language_code="en")

    assert "✅ terrorism" in reply.plain_text
    assert "داعش" in reply.plain_text  # the evidence, read in Arabic


async def test_reclassify_reports_changes_and_alerts_only_when_asked(
    admin_newsroom: Newsroom,
) -> None:
    marsad = admin_newsroom.marsad
    await admin_newsroom.publish(BOOKS_AGAIN)  # two book-fair articles, tagged with nothing
    await admin_newsroom.command('/newtopic books "الكتب"', ADMIN, language_code="en")
    await admin_newsroom.command('/addterm books "معرض الكتاب"', ADMIN, language_code="en")
    await admin_newsroom.command("/subscribe books", SUBSCRIBER, language_code="en")

    reply = await reclassified(admin_newsroom, "/reclassify 2")

    assert "2 articles, 2 changed" in reply.plain_text and "+books 2" in reply.plain_text
    assert reply.plain_text.endswith("New alerts: 0")
    article = await marsad.store.article_by_url(QUIET.link)
    assert article is not None and [m.topic for m in article.topics] == ["books"]
    await marsad.deliver()
    assert len(admin_newsroom.api.sent_to(SUBSCRIBER)) == 1  # the /subscribe answer only

    usage = await admin_newsroom.command("/reclassify soon", ADMIN, language_code="en")
    assert usage.plain_text.startswith("Usage: /reclassify")


async def test_reclassify_with_alert_sends_newly_tagged_articles(admin_newsroom: Newsroom) -> None:
    await admin_newsroom.publish(BOOKS_AGAIN)
    await admin_newsroom.command('/newtopic books "الكتب"', ADMIN, language_code="en")
    await admin_newsroom.command('/addterm books "معرض الكتاب"', ADMIN, language_code="en")
    await admin_newsroom.command("/subscribe books", SUBSCRIBER, language_code="en")

    reply = await reclassified(admin_newsroom, "/reclassify 2 alert")

    assert reply.plain_text.endswith("New alerts: 2")
    await admin_newsroom.marsad.deliver()
    alerts = admin_newsroom.api.sent_to(SUBSCRIBER)[1:]
    assert len(alerts) == 2
    for item in (QUIET, BOOKS_AGAIN):
        assert any(item.title in alert.plain_text for alert in alerts), item.title
    again = await reclassified(admin_newsroom, "/reclassify 2 alert")
    assert "0 changed" in again.plain_text and again.plain_text.endswith("New alerts: 0")
    [entry, *_] = await admin_newsroom.marsad.store.audit_entries()
    assert entry.action == "topic.reclassify" and entry.actor_id == ADMIN


def book_article(n: int) -> NewArticle:
    """A stored-to-be book-fair article, tagged with nothing yet."""
    title = f"معرض الكتاب يستقبل الزوار في يومه رقم {n}"
    entry = Entry(
        f"fair-{n}",
        f"https://news.example/fair-{n}",
        title,
        "واصل معرض الكتاب استقبال الزوار.",
        START,
        hashlib.sha1(title.encode()).hexdigest(),
        "ar",
    )
    return NewArticle(entry, title, "ar", ())


async def test_a_long_reclassify_shows_progress_in_one_message_and_never_holds_other_users(
    admin_newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    marsad, api = admin_newsroom.marsad, admin_newsroom.api
    monkeypatch.setattr(admin_topics, "PROGRESS_SECONDS", 0.0)  # an edit after every page
    [feed] = await marsad.store.list_feeds()
    older = service.MAX_RECLASSIFY_ARTICLES + 234 - 1  # the feed's first article is one too
    items = [book_article(n) for n in range(older)]
    await marsad.store.add_articles(feed, items, now=marsad.clock(), alert=False)
    await admin_newsroom.command('/newtopic books "الكتب"', ADMIN, language_code="en")
    await admin_newsroom.command('/addterm books "معرض الكتاب"', ADMIN, language_code="en")
    release = api.hold("editMessageText", chat_id=ADMIN)  # the first progress edit waits

    started = await admin_newsroom.command("/reclassify 2", ADMIN, language_code="en")
    [edit] = await api.wait_for_held("editMessageText")

    assert started.plain_text == "Reclassifying the articles of the last 2 hours…"
    assert edit.params["message_id"] == started.message_id
    assert "500 / 5,000" in edit.params["text"]
    # While it runs, another user is answered and a second run is refused.
    other = await admin_newsroom.command("/help", SUBSCRIBER, language_code="en")
    assert other.plain_text.startswith("Commands")
    again = await admin_newsroom.command("/reclassify", ADMIN, language_code="en")
    assert again.plain_text.startswith("A reclassification is already running")
    assert not [e for e in await marsad.store.audit_entries() if "reclassify" in e.action]

    release.set()
    outcome = "the /reclassify outcome"
    # 5,000 articles take seconds alone, and many more on a loaded CI machine.
    await api.wait_until(lambda: started.plain_text.startswith("Reclassified"), outcome, 180.0)

    assert "5,000 articles, 5,000 changed" in started.plain_text
    assert started.plain_text.endswith("5,000 newest reclassified; 234 older ones were not.")
    assert len(api.sent_to(ADMIN)) == 4  # two commands, the progress message, the refusal
    assert len(api.calls_of("editMessageText")) == 10 + 1  # one per page, then the outcome


async def test_progress_edits_its_message_at_most_once_per_interval(
    botapi: BotApiServer, tg_bot: Bot
) -> None:
    ticks = [100.0]
    sent = await tg_bot.send_message(SUBSCRIBER, "working…")
    progress = ProgressMessage(sent, 3.0, monotonic=lambda: ticks[0])

    for n, at in enumerate([101.0, 102.9, 103.0, 104.0, 105.9, 106.0]):
        ticks[0] = at
        await progress.update(f"step {n}")
    await progress.finish("done")

    edits = [c.params["text"] for c in botapi.calls_of("editMessageText")]
    assert edits == ["step 2", "step 5", "done"]
    assert botapi.sent_to(SUBSCRIBER)[0].plain_text == "done"


async def test_stopping_cancels_a_running_reclassify_without_a_traceback(
    admin_newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    marsad, api = admin_newsroom.marsad, admin_newsroom.api
    monkeypatch.setattr(admin_topics, "PROGRESS_SECONDS", 0.0)
    monkeypatch.setattr(service, "RECLASSIFY_PAGE", 1)  # two pages: a progress edit between
    await admin_newsroom.publish(BOOKS_AGAIN)
    release = api.hold("editMessageText", chat_id=ADMIN)
    await admin_newsroom.command("/reclassify 2", ADMIN, language_code="en")
    await api.wait_for_held("editMessageText")
    assert marsad.telegram is not None
    task = marsad.telegram.bot_data["reclassify_task"]

    await ROUTING.stop(marsad.telegram)
    release.set()

    assert task.cancelled() and "reclassify_task" not in marsad.telegram.bot_data
    assert not [e for e in await marsad.store.audit_entries() if "reclassify" in e.action]
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info]
