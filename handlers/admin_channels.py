"""Admins' channel commands: /addchannel, /removechannel, /channels."""

from __future__ import annotations

import re

from telegram import ChatFullInfo, ChatMemberAdministrator, ChatMemberRestricted, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from handlers.admin_common import actor, arguments, esc, isolated, reply_blocks
from handlers.context import Context
from handlers.subscriptions import chat_language, reply, resolve_topics, unknown_topics
from handlers.texts import say

_CHAT_REF = re.compile(r"@[A-Za-z0-9_]{4,32}|-?\d{1,20}")


def _chat_ref(text: str) -> int | str | None:
    """A chat named as @username or by its numeric id, or None."""
    if not _CHAT_REF.fullmatch(text):
        return None
    return text if text.startswith("@") else int(text)


async def _posting_problem(context: Context, chat: ChatFullInfo) -> str | None:
    """The text key saying why the bot cannot post in a chat, or None when it can."""
    if chat.type == ChatType.PRIVATE:
        return "channel_private"
    try:
        member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError:
        return "channel_not_member"
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return "channel_not_member"
    if chat.type == ChatType.CHANNEL:
        if member.status == ChatMemberStatus.OWNER:
            return None
        if not isinstance(member, ChatMemberAdministrator):
            return "channel_not_admin"
        return None if member.can_post_messages else "channel_cannot_post"
    if isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
        return "channel_cannot_post"
    return None


async def addchannel(update: Update, context: Context) -> None:
    """Route topics to a channel or group where the bot may post."""
    language, args = await chat_language(update, context), arguments(update)
    ref = _chat_ref(args[0]) if args else None
    if ref is None or len(args) < 2:
        await reply(update, say(language, "addchannel_usage"))
        return
    ids, unknown = resolve_topics(context, args[1:])
    if unknown:
        await reply(update, unknown_topics(context, language, unknown))
        return
    try:
        chat = await context.bot.get_chat(ref)
    except (BadRequest, Forbidden) as exc:  # Telegram's answer; network errors propagate
        await reply(update, say(language, "channel_not_found", ref=isolated(ref), reason=esc(exc)))
        return
    problem = await _posting_problem(context, chat)
    if problem is not None:
        await reply(update, say(language, problem, name=isolated(chat.title or chat.id)))
        return
    marsad = context.marsad
    now = marsad.clock()
    before = await marsad.store.subscriptions(chat.id)
    title = chat.title or chat.username
    await marsad.store.upsert_chat(chat.id, kind=chat.type, title=title, language=language, now=now)
    await marsad.store.subscribe(chat.id, ids, now=now)
    after = await marsad.store.subscriptions(chat.id)
    await marsad.store.audit(
        "channel.add",
        now=now,
        actor_id=actor(update),
        target=str(chat.id),
        before={"topics": before},
        after={"title": title, "topics": after},
    )
    names = ", ".join(marsad.topics.name(i, language) for i in ids)
    await reply(
        update, say(language, "channel_added", name=isolated(title or chat.id), topics=esc(names))
    )


async def removechannel(update: Update, context: Context) -> None:
    """Stop routing topics (all, or those named) to a channel or group."""
    language, args = await chat_language(update, context), arguments(update)
    ref = _chat_ref(args[0]) if args else None
    if ref is None:
        await reply(update, say(language, "removechannel_usage"))
        return
    chat_id = ref if isinstance(ref, int) else None
    if chat_id is None:
        try:
            chat_id = (await context.bot.get_chat(ref)).id
        except (BadRequest, Forbidden) as exc:
            text = say(language, "channel_not_found", ref=isolated(ref), reason=esc(exc))
            await reply(update, text)
            return
    marsad = context.marsad
    before = await marsad.store.subscriptions(chat_id)
    ids, _ = resolve_topics(context, args[1:]) if len(args) > 1 else (before, [])
    removed = await marsad.store.unsubscribe(chat_id, ids) if ids else 0
    if not removed:
        await reply(update, say(language, "channel_unknown", ref=isolated(ref)))
        return
    after = await marsad.store.subscriptions(chat_id)
    await marsad.store.audit(
        "channel.remove",
        now=marsad.clock(),
        actor_id=actor(update),
        target=str(chat_id),
        before={"topics": before},
        after={"topics": after},
    )
    await reply(update, say(language, "channel_removed", ref=isolated(ref), n=str(removed)))


async def channels(update: Update, context: Context) -> None:
    """Groups and channels that receive topics, and which."""
    language = await chat_language(update, context)
    found = await context.marsad.store.destinations()
    if not found:
        await reply(update, say(language, "channels_none"))
        return
    lines = [say(language, "channels_header")]
    for chat in found:
        mark = ("📢" if chat.kind == "channel" else "👥") if chat.active else "⚠️"
        name = isolated(chat.title or chat.chat_id)
        lines.append(f"{mark} {name} <code>{chat.chat_id}</code>: {esc(', '.join(chat.topics))}")
    await reply_blocks(update, lines)
