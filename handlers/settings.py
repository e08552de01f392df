"""/digest, /timezone, /mute, /quiet, /breaking, /lang and /why: how and when a chat gets
its alerts."""

from __future__ import annotations

import functools
import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from telegram import Update

from bot.delivery.summarise import truncate_words
from bot.models import ChatSettings, DeliveredArticle
from bot.render import visible_len
from handlers.context import Context
from handlers.storytext import story_blocks
from handlers.subscriptions import chat_language, ensure_chat, may_manage, reply, when
from handlers.texts import LANGUAGES, say

MAX_MUTE_HOURS = 168
MAX_BREAKING_OUTLETS = 50
MAX_BREAKING_MINUTES = 1440
MAX_WHY_ARTICLES = 10  # a digest message carries many articles; /why lists the first ones
WHY_BUDGET = 4000  # Telegram's 4096, counted after entity parsing, with a margin
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@functools.cache
def _zones_by_folded_name() -> dict[str, str]:
    """Every IANA zone name by its casefolded form, so «africa/casablanca» works too."""
    return {name.casefold(): name for name in available_timezones()}


def find_zone(name: str) -> str | None:
    """The IANA name of a time zone as typed (any case), or None."""
    canonical = _zones_by_folded_name().get(name.casefold())
    if canonical is None:
        return None
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return canonical


async def _settings_for_change(update: Update, context: Context) -> ChatSettings | None:
    """This chat's settings when the user may change them, else None after saying why."""
    chat = update.effective_chat
    language = await chat_language(update, context)
    if chat is None:
        return None
    if not await may_manage(update, context):
        await reply(update, say(language, "settings_admins_only"))
        return None
    await ensure_chat(update, context, language)
    return await context.marsad.store.chat_settings(chat.id)


async def digest(update: Update, context: Context) -> None:
    """/digest off|hourly|daily [HH:MM]: alerts one by one, or gathered per hour or per day."""
    language = await chat_language(update, context)
    args = [a.lower() for a in context.args or []]
    mode = args[0] if args else ""
    time_text = args[1] if len(args) > 1 else None
    valid = (mode in ("off", "hourly") and len(args) == 1) or (
        mode == "daily" and len(args) <= 2 and (time_text is None or _HHMM.fullmatch(time_text))
    )
    if not valid:
        await reply(update, say(language, "digest_usage"))
        return
    settings = await _settings_for_change(update, context)
    if settings is None:
        return
    digest_at = settings.digest_at
    if time_text is not None:
        hours, minutes = time_text.split(":")
        digest_at = f"{int(hours):02d}:{minutes}"
    # The first digest comes at the next slot, not at once for the slot already passed.
    await context.marsad.store.update_chat_settings(
        settings.chat_id, digest=mode, digest_at=digest_at, last_digest_at=context.marsad.clock()
    )
    await reply(
        update,
        say(language, f"digest_{mode}", time=digest_at, tz=html.escape(settings.timezone)),
    )


async def timezone(update: Update, context: Context) -> None:
    """/timezone <IANA name>: the zone for times in alerts and for the daily digest."""
    language = await chat_language(update, context)
    chat = update.effective_chat
    if len(context.args or []) != 1 or chat is None:
        settings = await context.marsad.store.chat_settings(chat.id) if chat else None
        current = settings.timezone if settings else "UTC"
        await reply(update, say(language, "timezone_usage", tz=html.escape(current)))
        return
    zone = find_zone((context.args or [""])[0])
    if zone is None:
        typed = html.escape((context.args or [""])[0][:64])
        await reply(update, say(language, "timezone_unknown", tz=typed))
        return
    settings = await _settings_for_change(update, context)
    if settings is None:
        return
    await context.marsad.store.update_chat_settings(settings.chat_id, timezone=zone)
    now = when(context.marsad.clock(), zone, language)
    await reply(update, say(language, "timezone_set", tz=html.escape(zone), time=now))


async def mute(update: Update, context: Context) -> None:
    """/mute <hours>: hold alerts until then (they come as one digest); /mute 0 ends it."""
    language = await chat_language(update, context)
    args = context.args or []
    hours = _hours(args[0]) if len(args) == 1 else None
    if hours is None:
        await reply(update, say(language, "mute_usage"))
        return
    settings = await _settings_for_change(update, context)
    if settings is None:
        return
    store, now = context.marsad.store, context.marsad.clock()
    if hours == 0:
        # The digest job sends what was held at its next tick, then clears the mute.
        await store.update_chat_settings(settings.chat_id, muted_until=now)
        await reply(update, say(language, "unmuted"))
        return
    until = now + timedelta(hours=hours)
    await store.update_chat_settings(settings.chat_id, muted_until=until)
    await reply(update, say(language, "muted", time=when(until, settings.timezone, language)))


async def quiet(update: Update, context: Context) -> None:
    """/quiet on|off: routine alerts without notification sound; breaking ones still ring."""
    language = await chat_language(update, context)
    args = [a.lower() for a in context.args or []]
    if len(args) != 1 or args[0] not in ("on", "off"):
        await reply(update, say(language, "quiet_usage"))
        return
    settings = await _settings_for_change(update, context)
    if settings is None:
        return
    await context.marsad.store.update_chat_settings(settings.chat_id, quiet=args[0] == "on")
    await reply(update, say(language, f"quiet_{args[0]}"))


async def breaking(update: Update, context: Context) -> None:
    """/breaking K M: a story K outlets report within M minutes is breaking; /breaking off."""
    language = await chat_language(update, context)
    args = [a.lower() for a in context.args or []]
    parsed = _breaking_args(args)
    if parsed is None:
        await reply(update, say(language, "breaking_usage"))
        return
    settings = await _settings_for_change(update, context)
    if settings is None:
        return
    outlets, minutes = parsed
    store = context.marsad.store
    await store.update_chat_settings(
        settings.chat_id, breaking_outlets=outlets, breaking_minutes=minutes
    )
    if outlets == 0:
        await reply(update, say(language, "breaking_off"))
    else:
        await reply(
            update, say(language, "breaking_set", outlets=str(outlets), minutes=str(minutes))
        )


def _breaking_args(args: list[str]) -> tuple[int, int] | None:
    """(outlets, minutes) from "K M" or "off" (0 outlets), or None when invalid."""
    if args == ["off"]:
        return 0, 30
    if len(args) != 2 or not all(a.isascii() and a.isdigit() for a in args):
        return None
    outlets, minutes = int(args[0]), int(args[1])
    if 2 <= outlets <= MAX_BREAKING_OUTLETS and 1 <= minutes <= MAX_BREAKING_MINUTES:
        return outlets, minutes
    return None


def _hours(text: str) -> float | None:
    """A number of hours from 0 to MAX_MUTE_HOURS, or None."""
    try:
        hours = float(text.replace(",", ".").replace("٫", "."))
    except ValueError:
        return None
    return hours if 0 <= hours <= MAX_MUTE_HOURS else None


async def lang(update: Update, context: Context) -> None:
    """/lang ar|en: the language of replies and alerts in this chat, whoever writes."""
    args = [a.lower() for a in context.args or []]
    if len(args) != 1 or args[0] not in LANGUAGES:
        await reply(update, say(await chat_language(update, context), "lang_usage"))
        return
    settings = await _settings_for_change(update, context)
    if settings is None:
        return
    await context.marsad.store.update_chat_settings(
        settings.chat_id, language=args[0], language_fixed=True
    )
    await reply(update, say(args[0], "lang_set"))


async def why(update: Update, context: Context) -> None:
    """/why in reply to an alert: the topics that tagged it and the evidence for each, then
    its story's reports and why each joined."""
    language = await chat_language(update, context)
    message, chat = update.effective_message, update.effective_chat
    replied = message.reply_to_message if message else None
    if replied is None or chat is None:
        await reply(update, say(language, "why_usage"))
        return
    marsad = context.marsad
    articles = await marsad.store.delivered_articles(chat.id, replied.message_id)
    if not articles:
        await reply(update, say(language, "why_unknown"))
        return
    settings = await marsad.store.chat_settings(chat.id)
    tz = settings.timezone if settings else "UTC"
    text = say(language, "why_header")
    told: set[int] = set()  # a digest's reports of one story: the story once
    for article in articles[:MAX_WHY_ARTICLES]:
        block = _topic_block(context, article, language)
        if visible_len(text + "\n" + block) > WHY_BUDGET:
            break  # a long digest: the first articles' reasons fill the message
        text += "\n" + block
        story = await marsad.store.story_of(article.article_id)
        if story is None or story.members < 2 or story.id in told:
            continue
        told.add(story.id)
        members = await marsad.store.story_members(story.id)
        text = _fit(text, story_blocks(story, members, language, tz))
    await reply(update, text)


def _topic_block(context: Context, article: DeliveredArticle, language: str) -> str:
    """An alerted article's headline and the topics that tagged it, with their evidence."""
    heading = html.escape(truncate_words(" ".join(article.title.split()), 200))
    lines = ["", f"<b>{heading}</b>"]
    lines += [
        say(
            language,
            "why_topic",
            name=html.escape(context.marsad.topics.name(match.topic, language)),
            id=html.escape(match.topic),
            score=f"{match.score:.1f}",
            evidence=html.escape(truncate_words(", ".join(match.evidence[:8]), 300)),
        )
        for match in article.topics
    ] or [say(language, "why_no_topics")]
    return "\n".join(lines)


def _fit(text: str, blocks: list[str]) -> str:
    """Text with as many of the blocks as fit in one message."""
    for block in blocks:
        if visible_len(text + "\n" + block) > WHY_BUDGET:
            break
        text += "\n" + block
    return text
