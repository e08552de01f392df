"""Admins' oversight commands: /stats, /audit, /addadmin and /removeadmin."""

from __future__ import annotations

import json
from datetime import datetime, time

from telegram import Update

from bot.feeds.netpolicy import mask_credentials
from bot.models import AuditEntry
from bot.services.admins import AdminChange, add_admin, remove_admin
from handlers.admin_common import actor, arguments, esc, reply_blocks, shorten, when
from handlers.context import Context
from handlers.menu import clear_admin_menu, set_admin_menu
from handlers.subscriptions import chat_language, reply
from handlers.texts import say

DEFAULT_AUDIT_ENTRIES = 10
MAX_AUDIT_ENTRIES = 50


def _midnight(now: datetime) -> datetime:
    """The start of today, UTC."""
    return datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)


async def stats(update: Update, context: Context) -> None:
    """Feeds, today's articles and alerts, the queue and the last cycle."""
    marsad, language = context.marsad, await chat_language(update, context)
    counts = await marsad.store.stats(since=_midnight(marsad.clock()))
    last = marsad.poller.last_report
    cycle = say(language, "stats_no_cycle")
    if last is not None:
        cycle = say(language, "stats_cycle", seconds=f"{last.seconds:.1f}", feeds=str(last.feeds))
    values = {key: str(value) for key, value in counts.as_dict().items()}
    text = say(
        language,
        "stats",
        feeds=values["feeds"],
        active=values["feeds_active"],
        failing=values["feeds_failing"],
        articles=values["articles_since"],
        alerts=values["alerts_sent_since"],
        pending=values["alerts_pending"],
        cycle=cycle,
    )
    await reply(update, text)


def _json(value: str | None) -> str:
    """A stored JSON value, short and on one line."""
    if value is None:
        return "—"
    try:
        text = json.dumps(json.loads(value), ensure_ascii=False)
    except ValueError:
        text = value
    return shorten(mask_credentials(text), 160)


def _entry(entry: AuditEntry, language: str) -> str:
    """One audit entry: when, who, what, on what, before and after."""
    who = str(entry.actor_id) if entry.actor_id else say(language, "audit_system")
    head = (
        f"{when(entry.at)} · <code>{esc(who)}</code> · "
        f"<b>{esc(entry.action)}</b> · "
        f"{esc(shorten(mask_credentials(entry.target or '—'), 120))}"
    )
    if entry.before is None and entry.after is None:
        return head
    return f"{head}\n   {esc(_json(entry.before))} → {esc(_json(entry.after))}"


async def audit(update: Update, context: Context) -> None:
    """The last n changes, newest first, with who made them."""
    language, args = await chat_language(update, context), arguments(update)
    count = DEFAULT_AUDIT_ENTRIES
    if args:
        if not args[0].isdigit():
            await reply(update, say(language, "audit_usage"))
            return
        count = max(1, min(int(args[0]), MAX_AUDIT_ENTRIES))
    entries = await context.marsad.store.audit_entries(count)
    if not entries:
        await reply(update, say(language, "audit_none"))
        return
    header = say(language, "audit_header", n=str(len(entries)))
    await reply_blocks(update, [header, *(_entry(e, language) for e in entries)])


async def _user_id(update: Update, context: Context, usage: str) -> int | None:
    """The user id a command names (or the author of the replied message), or None."""
    args, message = arguments(update), update.effective_message
    if args and args[0].lstrip("-").isdigit():
        return int(args[0])
    replied = message.reply_to_message if message else None
    if not args and replied is not None and replied.from_user is not None:
        return replied.from_user.id
    await reply(update, say(await chat_language(update, context), usage))
    return None


async def addadmin(update: Update, context: Context) -> None:
    """Let another user run admins' commands."""
    user_id = await _user_id(update, context, "addadmin_usage")
    if user_id is None:
        return
    marsad = context.marsad
    change = await add_admin(
        marsad.store, marsad.settings.admin_ids, user_id, actor=actor(update), now=marsad.clock()
    )
    if change is AdminChange.DONE:
        await set_admin_menu(context.bot, user_id)
    key = "admin_added" if change is AdminChange.DONE else "admin_already"
    await reply(update, say(await chat_language(update, context), key, id=str(user_id)))


async def removeadmin(update: Update, context: Context) -> None:
    """Take admins' commands away from a user added from chat."""
    user_id = await _user_id(update, context, "removeadmin_usage")
    if user_id is None:
        return
    marsad = context.marsad
    change = await remove_admin(
        marsad.store, marsad.settings.admin_ids, user_id, actor=actor(update), now=marsad.clock()
    )
    if change is AdminChange.DONE:
        await clear_admin_menu(context.bot, user_id)
    key = {
        AdminChange.DONE: "admin_removed",
        AdminChange.CONFIGURED: "admin_configured",
        AdminChange.UNCHANGED: "admin_not_admin",
    }[change]
    await reply(update, say(await chat_language(update, context), key, id=str(user_id)))
