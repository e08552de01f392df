"""Admins' feed commands: add, remove, pause, resume, health, OPML import and export."""

from __future__ import annotations

import io

from telegram import Update

from bot.admintext import feed_name
from bot.errors import FeedListError
from bot.feeds.feedlist import FeedSpec, parse_opml, to_opml
from bot.feeds.netpolicy import mask_credentials
from bot.models import Feed, FeedHealth
from bot.services import feeds as service
from handlers.admin_common import (
    actor,
    arguments,
    esc,
    isolated,
    number,
    reply_blocks,
    shorten,
    when,
)
from handlers.context import Context
from handlers.subscriptions import chat_language, reply
from handlers.texts import say

MAX_OPML_BYTES = 2 * 1024 * 1024


async def addfeed(update: Update, context: Context) -> None:
    """Fetch a URL once to check it is a feed, then watch it (its first poll is quiet)."""
    language, args = await chat_language(update, context), arguments(update)
    if not args:
        await reply(update, say(language, "addfeed_usage"))
        return
    url, name = args[0], " ".join(args[1:]) or None
    marsad = context.marsad
    known = await marsad.store.feed_by_url(url)
    if known is not None:
        await reply(update, say(language, "feed_known", id=str(known.id), name=feed_name(known)))
        return
    probe = await service.probe_feed(
        marsad.session, marsad.parsers, url, limits=marsad.options.limits, now=marsad.clock()
    )
    if probe.error:
        shown = isolated(mask_credentials(url))
        await reply(update, say(language, "not_a_feed", url=shown, reason=esc(probe.error)))
        return
    feed, added = await service.add_feed(
        marsad.store, url, name or probe.title, actor=actor(update), now=marsad.clock()
    )
    if not added:  # another admin added it while the URL was being fetched
        await reply(update, say(language, "feed_known", id=str(feed.id), name=feed_name(feed)))
        return
    await reply(
        update,
        say(
            language,
            "feed_added",
            id=str(feed.id),
            name=feed_name(feed),
            items=str(probe.items),
            lang=esc(probe.language or "?"),
        ),
    )


async def _named_feed(update: Update, context: Context, usage: str) -> Feed | None:
    """The feed a command names by id or URL, or None after saying why."""
    language, args = await chat_language(update, context), arguments(update)
    if not args:
        await reply(update, say(language, usage))
        return None
    feed = await service.find_feed(context.marsad.store, args[0])
    if feed is None:
        await reply(update, say(language, "feed_unknown", ref=isolated(args[0])))
    return feed


async def removefeed(update: Update, context: Context) -> None:
    """Stop watching a feed for good; feed lists will not bring it back."""
    feed = await _named_feed(update, context, "removefeed_usage")
    if feed is None:
        return
    marsad = context.marsad
    await service.remove_feed(marsad.store, feed, actor=actor(update), now=marsad.clock())
    await reply(
        update, say(await chat_language(update, context), "feed_removed", name=feed_name(feed))
    )


async def _set_active(update: Update, context: Context, active: bool) -> None:
    """Pause or resume the named feed."""
    feed = await _named_feed(update, context, "resumefeed_usage" if active else "pausefeed_usage")
    if feed is None:
        return
    marsad, language = context.marsad, await chat_language(update, context)
    changed = await service.set_active(
        marsad.store, feed, active, actor=actor(update), now=marsad.clock()
    )
    key = ("feed_resumed" if active else "feed_paused") if changed else "feed_unchanged"
    await reply(update, say(language, key, name=feed_name(feed)))


async def pausefeed(update: Update, context: Context) -> None:
    """Stop polling a feed until /resumefeed."""
    await _set_active(update, context, False)


async def resumefeed(update: Update, context: Context) -> None:
    """Poll a paused feed again, at once."""
    await _set_active(update, context, True)


def health_block(health: FeedHealth, language: str, context: Context) -> str:
    """One feed's health: status, last success, errors, items a day, 304s, next check."""
    feed, now = health.feed, context.marsad.clock()
    mark = "🔴" if service.is_failing(health) else ("⏸" if not feed.active else "🟢")
    share = service.not_modified_share(health)
    details = [
        say(language, "health_last_ok", when=when(health.last_success_at)),
        say(language, "health_per_day", n=number(round(service.items_per_day(health, now), 1))),
        say(language, "health_304", share="—" if share is None else f"{share:.0%}"),
    ]
    if feed.error_streak:
        error = esc(shorten(feed.last_error or "?", 160))
        details.append(say(language, "health_errors", n=str(feed.error_streak), error=error))
    if feed.active:
        details.append(say(language, "health_next", when=when(feed.next_check_at)))
    else:
        reason = esc(shorten(health.paused_reason or "", 160))
        details.append(say(language, "health_paused", reason=reason))
    address = esc(mask_credentials(feed.url))
    head = f"{mark} <b>{feed.id}</b> {feed_name(feed)}\n<code>{address}</code>"
    return head + "\n" + " · ".join(details)


async def feeds_command(update: Update, context: Context) -> None:
    """Every feed with its health, failing feeds first."""
    language, marsad = await chat_language(update, context), context.marsad
    now = marsad.clock()
    items = await marsad.store.feed_health(since=now - service.HEALTH_WINDOW)
    if not items:
        await reply(update, say(language, "feeds_none"))
        return
    failing = sum(1 for h in items if service.is_failing(h))
    header = say(language, "feeds_header", n=str(len(items)), failing=str(failing))
    blocks = [health_block(h, language, context) for h in service.failing_first(items)]
    await reply_blocks(update, [header, *blocks])


async def import_command(update: Update, context: Context) -> None:
    """Add the feeds of an OPML file sent with /import as its caption (or replied to)."""
    language, message = await chat_language(update, context), update.effective_message
    if message is None:
        return
    replied = message.reply_to_message
    document = message.document or (replied.document if replied else None)
    if document is None:
        await reply(update, say(language, "import_usage"))
        return
    if document.file_size and document.file_size > MAX_OPML_BYTES:
        await reply(update, say(language, "import_too_big"))
        return
    file = await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    try:
        specs = parse_opml(data)
    except FeedListError as exc:
        await reply(update, say(language, "import_bad", reason=esc(exc)))
        return
    marsad = context.marsad
    report = await service.import_feeds(
        marsad.store, specs, actor=actor(update), now=marsad.clock()
    )
    counts = {
        "added": str(len(report.added)),
        "known": str(len(report.known)),
        "removed": str(len(report.removed_before)),
        "refused": str(len(report.refused)),
    }
    await reply(update, say(language, "import_done", **counts))


async def export_command(update: Update, context: Context) -> None:
    """Send every feed as an OPML file."""
    message, language = update.effective_message, await chat_language(update, context)
    if message is None:
        return
    feeds = await context.marsad.store.list_feeds()
    # Passwords masked: the file is sent to a chat (the operator's `feeds export` keeps them).
    data = to_opml(FeedSpec(mask_credentials(f.url), f.title) for f in feeds).encode("utf-8")
    await message.reply_document(
        document=io.BytesIO(data),
        filename="marsad-feeds.opml",
        caption=say(language, "export_caption", n=str(len(feeds))),
        parse_mode="HTML",
    )
