"""Admins manage feeds from Telegram: validated adds, removal, pause, health, OPML, reports."""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.feeds.feedlist import parse_opml
from bot.jobs import report_failing_feeds
from bot.services import feeds as service
from bot.storage import schema
from tests.helpers.botapi import Failure, message_update
from tests.helpers.botapi_files import document_update
from tests.helpers.rss import Item, rss
from tests.telegram.admin_fixtures import (  # noqa: F401 - fixtures
    ADMIN,
    REPORTER,
    admin_newsroom,
    files_api,
    next_document,
    send_update,
)
from tests.telegram.conftest import CYBER, START, Newsroom

SUBSCRIBER = 7101
OLD = Item(
    "w0",
    "Ransomware gang leaks stolen hospital data online",
    "The ransomware group published the hacked files after the hospital refused the ransom.",
    "https://wire.example/old",
    START - timedelta(hours=3),
)
NEW = Item(
    "w1",
    "New malware campaign hits banks with phishing e-mails",
    "Cybersecurity researchers say the malware spreads through phishing and a zero-day flaw.",
    "https://wire.example/new",
    START + timedelta(minutes=30),
)


async def cycle_later(newsroom: Newsroom, minutes: int = 10) -> None:
    """Move the clock and run one poll cycle with delivery."""
    newsroom.clock.now += timedelta(minutes=minutes)
    await newsroom.marsad.cycle()


async def test_non_admin_is_refused_and_nothing_changes(
    admin_newsroom: Newsroom, caplog: pytest.LogCaptureFixture
) -> None:
    store = admin_newsroom.marsad.store
    feeds_before = await store.list_feeds()
    topics_before = await store.topic_definitions(enabled_only=False)
    url = admin_newsroom.feeds.url("/wire.xml")
    admin_newsroom.feeds.static("/wire.xml", rss([OLD]))
    commands = [
        f"/addfeed {url}",
        f"/removefeed {feeds_before[0].id}",
        f"/pausefeed {feeds_before[0].id}",
        "/feeds",
        "/export",
        "/addchannel @desk terrorism",
        "/newtopic nuclear",
        "/addterm terrorism ransom",
        "/deltopic terrorism",
        "/testfilter داعش",
        "/reclassify 24 alert",
        "/stats",
        "/audit",
        f"/addadmin {REPORTER}",
    ]
    with caplog.at_level(logging.WARNING, logger="handlers.admin_common"):
        for text in commands:
            reply = await admin_newsroom.command(text, REPORTER, language_code="en")
            assert reply.plain_text.startswith("Sorry, only Marsad's admins"), text
        ar = await admin_newsroom.command(f"/addfeed {url}", REPORTER, language_code="ar")
    assert "لمشرفي مرصد فقط" in ar.plain_text
    assert await store.list_feeds() == feeds_before
    assert await store.topic_definitions(enabled_only=False) == topics_before
    assert await store.audit_entries() == []
    assert await store.admin_ids() == set()
    assert admin_newsroom.feeds.hits["/wire.xml"] == 0  # not even fetched to validate
    refusals = [r for r in caplog.records if "not an admin" in r.getMessage()]
    assert len(refusals) == len(commands) + 1
    assert f"user {REPORTER}" in refusals[0].getMessage()


async def test_admin_adds_a_feed_and_its_new_articles_reach_subscribers(
    admin_newsroom: Newsroom,
) -> None:
    await admin_newsroom.command("/subscribe cybersecurity", SUBSCRIBER, language_code="en")
    admin_newsroom.feeds.static("/wire.xml", rss([OLD], title="Wire", language="en"))
    url = admin_newsroom.feeds.url("/wire.xml")

    reply = await admin_newsroom.command(f"/addfeed {url}", ADMIN, language_code="en")

    assert "Added feed" in reply.plain_text and "Wire" in reply.plain_text
    assert "Items: 1" in reply.plain_text and "language: en" in reply.plain_text
    feed = await admin_newsroom.marsad.store.feed_by_url(url)
    assert feed is not None and feed.title == "Wire"
    await cycle_later(admin_newsroom)  # the first poll catches up without alerting
    assert len(admin_newsroom.api.sent_to(SUBSCRIBER)) == 1  # only the /subscribe answer

    admin_newsroom.feeds.static("/wire.xml", rss([OLD, NEW], title="Wire", language="en"))
    await cycle_later(admin_newsroom, 60)

    [alert] = admin_newsroom.api.sent_to(SUBSCRIBER)[1:]
    assert NEW.title in alert.plain_text
    [entry] = await admin_newsroom.marsad.store.audit_entries()
    assert (entry.action, entry.actor_id, entry.target) == ("feed.add", ADMIN, url)


async def test_addfeed_says_why_a_url_is_not_a_feed(admin_newsroom: Newsroom) -> None:
    feeds = admin_newsroom.feeds
    feeds.static("/page.html", b"<html><body><p>Hello</p></body></html>", content_type="text/html")
    feeds.static("/gone.xml", b"gone", status=404, content_type="text/plain")
    cases = {
        "/addfeed ftp://news.example/feed.xml": "only http:// and https://",
        "/addfeed javascript:alert(1)": "only http:// and https://",
        f"/addfeed {feeds.url('/page.html')}": "HTML",
        f"/addfeed {feeds.url('/gone.xml')}": "404",
        "/addfeed": "Usage: /addfeed",
    }
    count = len(await admin_newsroom.marsad.store.list_feeds())
    for text, reason in cases.items():
        reply = await admin_newsroom.command(text, ADMIN, language_code="en")
        assert reason.lower() in reply.plain_text.lower(), (text, reply.plain_text)
    assert len(await admin_newsroom.marsad.store.list_feeds()) == count
    known = await admin_newsroom.command(
        f"/addfeed {feeds.url('/feed.xml')}", ADMIN, language_code="en"
    )
    assert known.plain_text.startswith("Already watched")


async def test_addfeed_racing_another_admin_says_already_watched(
    admin_newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin_newsroom.feeds.static("/wire.xml", rss([OLD], title="Wire", language="en"))
    url = admin_newsroom.feeds.url("/wire.xml")
    store, probe = admin_newsroom.marsad.store, service.probe_feed

    async def probe_while_another_admin_adds(*args: Any, **kwargs: Any) -> service.Probe:
        """Validate the URL; meanwhile another admin adds the same feed."""
        found = await probe(*args, **kwargs)
        await store.add_feed(url, title="Theirs", now=admin_newsroom.clock.now)
        return found

    monkeypatch.setattr(service, "probe_feed", probe_while_another_admin_adds)
    reply = await admin_newsroom.command(f"/addfeed {url}", ADMIN, language_code="en")

    assert reply.plain_text.startswith("Already watched") and "Theirs" in reply.plain_text
    assert await store.audit_entries() == []  # the add was the other admin's


async def test_a_removed_feed_is_no_longer_fetched_nor_brought_back(
    admin_newsroom: Newsroom, tmp_path
) -> None:
    marsad = admin_newsroom.marsad
    [feed] = await marsad.store.list_feeds()
    hits = admin_newsroom.feeds.hits["/feed.xml"]

    reply = await admin_newsroom.command(f"/removefeed {feed.id}", ADMIN, language_code="en")

    assert reply.plain_text.startswith("Removed")
    await cycle_later(admin_newsroom, 120)
    assert admin_newsroom.feeds.hits["/feed.xml"] == hits
    [entry] = await marsad.store.audit_entries()
    assert (entry.action, entry.target) == ("feed.remove", feed.url)
    assert await marsad.store.removed_feed_urls() == {feed.url}
    assert await marsad.import_feeds_file(tmp_path / "feeds.toml") == 0  # the list keeps it out
    again = await admin_newsroom.command(f"/removefeed {feed.id}", ADMIN, language_code="en")
    assert again.plain_text.startswith("No feed with that id")


async def test_pause_and_resume_take_effect_at_the_next_cycle(admin_newsroom: Newsroom) -> None:
    [feed] = await admin_newsroom.marsad.store.list_feeds()
    hits = admin_newsroom.feeds.hits["/feed.xml"]
    reply = await admin_newsroom.command(f"/pausefeed {feed.url}", ADMIN, language_code="en")
    assert reply.plain_text.startswith("Paused")
    await cycle_later(admin_newsroom, 120)
    assert admin_newsroom.feeds.hits["/feed.xml"] == hits
    same = await admin_newsroom.command(f"/pausefeed {feed.id}", ADMIN, language_code="en")
    assert same.plain_text.startswith("Nothing changed")

    reply = await admin_newsroom.command(f"/resumefeed {feed.id}", ADMIN, language_code="en")
    assert reply.plain_text.startswith("Resumed")
    await cycle_later(admin_newsroom, 1)
    assert admin_newsroom.feeds.hits["/feed.xml"] == hits + 1
    actions = [e.action for e in await admin_newsroom.marsad.store.audit_entries()]
    assert actions == ["feed.resume", "feed.pause"]


async def test_feeds_shows_health_with_failing_feeds_first(admin_newsroom: Newsroom) -> None:
    feeds = admin_newsroom.feeds
    store = admin_newsroom.marsad.store
    broken = await store.add_feed(feeds.url("/broken.xml"), title="Broken", now=START)
    feeds.static("/broken.xml", b"oops", status=500, content_type="text/plain")
    feeds.static("/feed.xml", rss([CYBER]), etag='"v1"')
    await cycle_later(admin_newsroom, 2)
    await cycle_later(admin_newsroom, 2)  # the healthy feed answers 304 this time

    reply = await admin_newsroom.command("/feeds", ADMIN, language_code="en")

    text = reply.plain_text
    assert text.startswith("Feeds: 2 · failing: 1")
    assert text.index("Broken") < text.index("Local")
    assert "error streak: " in text and "HTTP 500 Internal Server Error" in text
    assert "304s: 33%" in text and "last success: \u20682026-11-29 08:04 UTC\u2069" in text
    assert "items/day" in text and "next check:" in text
    assert f"🔴 {broken.id}" in text


async def test_feeds_failing_for_days_are_reported_to_admins_once(
    admin_newsroom: Newsroom,
) -> None:
    marsad = admin_newsroom.marsad
    await marsad.store.add_feed(admin_newsroom.feeds.url("/down.xml"), title="Down", now=START)
    admin_newsroom.feeds.static("/down.xml", b"", status=503, content_type="text/plain")
    await cycle_later(admin_newsroom)
    assert await report_failing_feeds(marsad) == 0  # failing for minutes: not yet

    admin_newsroom.clock.now += timedelta(hours=26)
    await marsad.cycle()
    assert await report_failing_feeds(marsad) == 1

    [report] = admin_newsroom.api.sent_to(ADMIN)  # in Arabic: Marsad has no chat with them
    assert report.plain_text.startswith("مصادر متعثرة منذ أيام")
    assert "Down" in report.plain_text and "HTTP 503" in report.plain_text
    admin_newsroom.clock.now += timedelta(hours=2)
    await marsad.cycle()
    assert await report_failing_feeds(marsad) == 0  # once, not every cycle
    assert len(admin_newsroom.api.sent_to(ADMIN)) == 1
    scheduler = marsad._schedule()
    assert "failing_feeds" in {job.id for job in scheduler.get_jobs()}


async def failing_for_days(newsroom: Newsroom) -> None:
    """Add a feed that answers 503 and let it fail for more than a day."""
    await newsroom.marsad.store.add_feed(newsroom.feeds.url("/down.xml"), title="Down", now=START)
    newsroom.feeds.static("/down.xml", b"", status=503, content_type="text/plain")
    await cycle_later(newsroom)
    newsroom.clock.now += timedelta(hours=26)
    await newsroom.marsad.cycle()


async def test_a_report_to_an_admin_who_blocked_the_bot_deactivates_their_chat(
    admin_newsroom: Newsroom,
) -> None:
    marsad = admin_newsroom.marsad
    await admin_newsroom.command("/subscribe cybersecurity", ADMIN)  # the admin's own chat
    await failing_for_days(admin_newsroom)
    admin_newsroom.api.block(ADMIN)

    assert await report_failing_feeds(marsad) == 1

    settings = await marsad.store.chat_settings(ADMIN)  # as a blocked alert would leave it
    assert settings is not None and not settings.active
    async with marsad.store.engine.connect() as conn:
        chats = schema.chats.c
        query = select(chats.deactivated_reason).where(chats.id == ADMIN)
        assert (await conn.scalar(query)).startswith("forbidden:")
    assert await report_failing_feeds(marsad) == 0  # the spell is flagged: told once
    admin_newsroom.api.unblock(ADMIN)
    await admin_newsroom.publish(CYBER)  # a deactivated chat gets no alert either
    assert len(admin_newsroom.api.sent_to(ADMIN)) == 1  # the /subscribe reply only


async def test_a_report_is_retried_after_a_server_error_like_any_alert(
    admin_newsroom: Newsroom,
) -> None:
    await failing_for_days(admin_newsroom)
    admin_newsroom.api.fail_next("sendMessage", Failure.server_error(502), chat_id=ADMIN)

    assert await report_failing_feeds(admin_newsroom.marsad) == 1

    [report] = admin_newsroom.api.sent_to(ADMIN)  # the send queue's retry, not lost
    assert report.plain_text.startswith("مصادر متعثرة منذ أيام")
    calls = admin_newsroom.api.calls_of("sendMessage")
    assert [c.status for c in calls if c.params["chat_id"] == ADMIN] == [502, 200]


async def test_import_adds_an_opml_files_feeds_and_export_sends_them(
    admin_newsroom: Newsroom,
) -> None:
    api, feeds = admin_newsroom.api, admin_newsroom.feeds
    [local] = await admin_newsroom.marsad.store.list_feeds()
    removed = feeds.url("/removed.xml")
    await admin_newsroom.marsad.store.audit("feed.remove", now=START, target=removed)
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        f'<outline text="Wire" xmlUrl="{feeds.url("/wire.xml")}"/>'
        f'<outline text="Local" xmlUrl="{local.url}"/>'
        f'<outline text="Removed" xmlUrl="{removed}"/>'
        '<outline text="Gopher" xmlUrl="gopher://old.example/feed"/>'
        "</body></opml>"
    ).encode()
    document = api.add_file(opml, "feeds.opml")

    update = document_update(ADMIN, ADMIN, document, caption="/import", language_code="en")
    text = await send_update(admin_newsroom, update, ADMIN)

    assert text == (
        "Import: 1 added · 1 already watched · 1 removed by an admin before · 1 not http(s)"
    )
    urls = {f.url for f in await admin_newsroom.marsad.store.list_feeds()}
    assert urls == {local.url, feeds.url("/wire.xml")}

    before = len(api.documents_to(ADMIN))
    api.queue_update(message_update("/export", ADMIN, ADMIN, language_code="en"))
    sent = await next_document(api, ADMIN, before)
    assert sent.filename.endswith(".opml") and sent.caption_plain == "Marsad's feeds (2)"
    assert {spec.url for spec in parse_opml(sent.content)} == urls


async def test_import_by_reply_and_bad_files(admin_newsroom: Newsroom) -> None:
    api = admin_newsroom.api
    bad = api.add_file(b"<html>not opml</html>", "feeds.opml")
    message = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": ADMIN, "type": "private"},
        "document": bad,
    }
    update = message_update("/import", ADMIN, ADMIN, language_code="en", reply_to=message)
    text = await send_update(admin_newsroom, update, ADMIN)
    assert text.startswith("Nothing imported: not an OPML file")
    usage = await admin_newsroom.command("/import", ADMIN, language_code="en")
    assert usage.plain_text.startswith("Send an OPML file")
    refused = document_update(REPORTER, REPORTER, bad, caption="/import", language_code="en")
    assert (await send_update(admin_newsroom, refused, REPORTER)).startswith("Sorry")
