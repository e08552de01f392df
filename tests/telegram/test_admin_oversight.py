"""Admins oversee Marsad: who is an admin, /stats, and an audit log of every change."""

# ruff: noqa: F811 - the fixtures come from admin_fixtures, so test arguments redefine them

from __future__ import annotations

from tests.helpers.rss import rss
from tests.telegram.admin_fixtures import (  # noqa: F401 - fixtures
    ADMIN,
    EDITOR,
    admin_newsroom,
    files_api,
)
from tests.telegram.conftest import CYBER, TERROR, Newsroom

CHANNEL = -1001112223334
SUBSCRIBER = 7301


async def test_admins_added_from_chat_act_at_once_and_configured_ones_stay(
    admin_newsroom: Newsroom,
) -> None:
    refused = await admin_newsroom.command("/stats", EDITOR, language_code="en")
    assert refused.plain_text.startswith("Sorry")

    reply = await admin_newsroom.command(f"/addadmin {EDITOR}", ADMIN, language_code="en")
    assert reply.plain_text == f"{EDITOR} is now an admin."
    allowed = await admin_newsroom.command("/stats", EDITOR, language_code="en")
    assert allowed.plain_text.startswith("Stats")

    reply = await admin_newsroom.command(f"/removeadmin {ADMIN}", EDITOR, language_code="en")
    assert "is in ADMIN_IDS" in reply.plain_text
    reply = await admin_newsroom.command(f"/removeadmin {EDITOR}", ADMIN, language_code="en")
    assert reply.plain_text == f"{EDITOR} is no longer an admin."
    refused = await admin_newsroom.command("/stats", EDITOR, language_code="en")
    assert refused.plain_text.startswith("Sorry")
    usage = await admin_newsroom.command("/addadmin someone", ADMIN, language_code="en")
    assert usage.plain_text.startswith("Usage: /addadmin")


async def test_stats_counts_feeds_articles_alerts_and_the_last_cycle(
    admin_newsroom: Newsroom,
) -> None:
    await admin_newsroom.command("/subscribe terrorism", SUBSCRIBER, language_code="en")
    await admin_newsroom.publish(TERROR, CYBER)

    reply = await admin_newsroom.command("/stats", ADMIN, language_code="en")

    assert reply.plain_text == (
        "Stats\nFeeds: 1 (1 active, 0 failing)\nArticles today: 3 · alerts today: 1\n"
        f"Queue: 0\nLast cycle: {admin_newsroom.marsad.poller.last_report.seconds:.1f}s for 1 feeds"
    )
    ar = await admin_newsroom.command("/stats", ADMIN, language_code="ar")
    assert ar.plain_text.startswith("إحصاءات")


async def test_audit_shows_every_change_with_who_made_it(admin_newsroom: Newsroom) -> None:
    api, feeds = admin_newsroom.api, admin_newsroom.feeds
    api.add_chat(CHANNEL, "channel", title="Desk")
    feeds.static("/wire.xml", rss([TERROR], title="Wire"))
    steps = [
        f"/addfeed {feeds.url('/wire.xml')} Wire",
        "/pausefeed 2",
        "/resumefeed 2",
        "/removefeed 2",
        '/newtopic nuclear "نووي"',
        '/addterm nuclear "محطة نووية"',
        '/exclude nuclear "محطة وقود"',
        "/removeterm nuclear محطة نووية",  # the last term: refused, not audited
        f"/addchannel {CHANNEL} terrorism",
        f"/addadmin {EDITOR}",
    ]
    for text in steps:
        await admin_newsroom.command(text, ADMIN, language_code="en")
    await admin_newsroom.command("/deltopic nuclear", EDITOR, language_code="en")

    reply = await admin_newsroom.command("/audit 20", ADMIN, language_code="en")

    lines = [line for line in reply.plain_text.split("\n") if " · " in line]
    actions = [line.split(" · ")[2] for line in lines]
    assert actions == [
        "topic.delete",
        "admin.add",
        "channel.add",
        "topic.exclude",
        "topic.term.add",
        "topic.create",
        "feed.remove",
        "feed.resume",
        "feed.pause",
        "feed.add",
    ]
    assert lines[0].split(" · ")[1] == str(EDITOR) and lines[1].split(" · ")[1] == str(ADMIN)
    assert lines[0].startswith("\u20682026-11-29 ")
    assert f"feed.remove · {feeds.url('/wire.xml')}" in reply.plain_text
    assert '{"active": false} → {"active": true}' in reply.plain_text
    short = await admin_newsroom.command("/audit 1", ADMIN, language_code="en")
    assert short.plain_text.startswith("Last 1 changes")
    assert all(api.token not in m.text for m in api.messages)
    assert all(api.token.split(":")[1] not in m.text for m in api.messages)


async def test_every_admin_command_answers_in_arabic_with_valid_html(
    admin_newsroom: Newsroom,
) -> None:
    api, feeds = admin_newsroom.api, admin_newsroom.feeds
    api.add_chat(CHANNEL, "channel", title="قناة الأخبار", username="akhbar")
    feeds.static("/wire.xml", rss([TERROR], title="وكالة <الأنباء> & شركاه"))
    commands = [
        "/adminhelp",
        f"/addfeed {feeds.url('/wire.xml')}",
        "/addfeed ftp://x.example/feed",
        "/feeds",
        "/pausefeed 2",
        "/resumefeed 2",
        "/removefeed 2",
        "/removefeed 99",
        "/addchannel @akhbar الإرهاب",
        "/channels",
        "/removechannel @akhbar",
        "/newtopic nuclear الطاقة النووية Nuclear energy",
        "/terms nuclear",
        '/addterm nuclear "محطة نووية" 2',
        '/exclude nuclear "محطة وقود"',
        "/terms nuclear",
        "/removeterm nuclear غير موجود",
        "/deltopic nuclear",
        "/deltopic terrorism",
        "/newtopic terrorism",
        "/testfilter هجوم إرهابي لتنظيم داعش <في> المدينة & ضواحيها",
        "/reclassify 24",
        "/stats",
        "/audit 30",
        f"/addadmin {EDITOR}",
        f"/removeadmin {ADMIN}",
        f"/removeadmin {EDITOR}",
    ]
    for text in commands:
        reply = await admin_newsroom.command(text, ADMIN, language_code="ar")
        assert any("\u0600" <= c <= "\u06ff" for c in reply.plain_text), text
        assert "حدث خطأ" not in reply.plain_text, text
    topic = await admin_newsroom.marsad.store.topic_row("nuclear")
    assert topic is None  # deleted at the end of the list
    created = [
        e for e in await admin_newsroom.marsad.store.audit_entries(50) if e.action == "topic.create"
    ]
    assert '"ar": "الطاقة النووية", "en": "Nuclear energy"' in created[0].after


async def test_admin_replies_follow_the_language_set_with_lang(admin_newsroom: Newsroom) -> None:
    await admin_newsroom.command("/lang en", ADMIN, language_code="ar")

    reply = await admin_newsroom.command("/stats", ADMIN, language_code="ar")

    assert reply.plain_text.startswith("Stats")


async def test_admins_see_the_admin_commands_in_their_private_menu(
    admin_newsroom: Newsroom,
) -> None:
    api = admin_newsroom.api
    scope = '{"chat_id": %d, "type": "chat"}'
    menu = api.commands[(scope % ADMIN, "ar")]
    names = [c["command"] for c in menu]
    assert {"search", "addfeed", "testfilter", "audit"} <= set(names)
    assert len(names) == len(set(names)) <= 100
    assert (scope % EDITOR, "en") not in api.commands

    await admin_newsroom.command(f"/addadmin {EDITOR}", ADMIN, language_code="en")
    assert "removeadmin" in [c["command"] for c in api.commands[(scope % EDITOR, "en")]]
    await admin_newsroom.command(f"/removeadmin {EDITOR}", ADMIN, language_code="en")
    assert (scope % EDITOR, "en") not in api.commands
    assert (scope % EDITOR, "") not in api.commands
