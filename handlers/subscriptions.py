"""/start, /topics, /subscribe, /unsubscribe (with a toggle keyboard) and /mysubs.

Also what every journalist-facing handler shares: replying in the chat's language, the
forum thread a message belongs to, and the (briefly cached) group-admin check.
"""

from __future__ import annotations

import hashlib
import html
import time
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode

from bot.delivery.render import FSI, PDI, local_time
from handlers.context import Context
from handlers.texts import say, user_language

MANAGERS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
# Admin rights change rarely; asking Telegram on every tap of a keyboard would be slow.
MEMBER_CACHE_SECONDS = 60.0
_MEMBER_CACHE = "member_status_cache"
TOGGLE_PREFIX = "sub:"
MAX_CALLBACK_BYTES = 64


def thread_of(message: Message | None) -> int:
    """The forum topic a message was sent in, or 0."""
    if message is not None and message.is_topic_message and message.message_thread_id:
        return message.message_thread_id
    return 0


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer in the same chat (and forum topic) as HTML, without link previews."""
    if update.effective_message is None:
        return None
    return await update.effective_message.reply_html(
        text, disable_web_page_preview=True, reply_markup=markup
    )


async def chat_language(update: Update, context: Context) -> str:
    """The language set with /lang for this chat, else the user's Telegram language."""
    chat = update.effective_chat
    if chat is not None:
        settings = await context.marsad.store.chat_settings(chat.id)
        if settings is not None and settings.language_fixed:
            return settings.language
    return user_language(update)


async def may_manage(update: Update, context: Context) -> bool:
    """Private chats manage themselves; in groups only the group's admins may."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    cache: dict[tuple[int, int], tuple[str, float]] = context.bot_data.setdefault(_MEMBER_CACHE, {})
    now = time.monotonic()
    cached = cache.get((chat.id, user.id))
    if cached is not None and cached[1] > now:
        return cached[0] in MANAGERS
    member = await context.bot.get_chat_member(chat.id, user.id)
    if len(cache) > 10_000:  # forget everyone rather than grow without bound
        cache.clear()
    cache[(chat.id, user.id)] = (member.status, now + MEMBER_CACHE_SECONDS)
    return member.status in MANAGERS


async def ensure_chat(update: Update, context: Context, language: str) -> None:
    """Record this chat (its settings stay if it is known) before changing its settings."""
    chat = update.effective_chat
    if chat is not None:
        await context.marsad.store.upsert_chat(
            chat.id,
            kind=chat.type,
            title=chat.title or chat.username,
            language=language,
            now=context.marsad.clock(),
        )


def when(moment: datetime, tz: str, language: str) -> str:
    """A time as the chat reads it, isolated so it keeps its order inside Arabic text."""
    return FSI + html.escape(local_time(moment, tz, language)) + PDI


def topic_lines(context: Context, language: str, subscribed: set[str]) -> str:
    """One line per topic: a check mark when subscribed, its id and its name."""
    engine = context.marsad.topics
    return "\n".join(
        say(
            language,
            "topic_line",
            mark="✅" if topic.id in subscribed else "▫️",
            id=topic.id,
            name=html.escape(engine.name(topic.id, language)),
        )
        for topic in engine.topics
    )


async def current_subscriptions(update: Update, context: Context) -> set[str]:
    """The topics this chat (or forum topic) is subscribed to."""
    chat = update.effective_chat
    if chat is None:
        return set()
    store = context.marsad.store
    return set(await store.subscriptions(chat.id, thread_id=thread_of(update.effective_message)))


async def start(update: Update, context: Context) -> None:
    """Welcome: what Marsad watches, the topics, how to subscribe, one example search."""
    language = await chat_language(update, context)
    topics = topic_lines(context, language, await current_subscriptions(update, context))
    await reply(update, say(language, "start", topics=topics))


async def topics_command(update: Update, context: Context) -> None:
    """Every topic, and whether this chat is subscribed to it."""
    language = await chat_language(update, context)
    subscribed = await current_subscriptions(update, context)
    await reply(update, say(language, "topics", topics=topic_lines(context, language, subscribed)))


def resolve_topics(context: Context, names: list[str]) -> tuple[list[str], list[str]]:
    """The topic ids named, in order without repeats, and the names that match none."""
    ids: list[str] = []
    unknown: list[str] = []
    for name in names:
        topic_id = context.marsad.topics.resolve(name)
        if topic_id is None:
            unknown.append(name)
        elif topic_id not in ids:
            ids.append(topic_id)
    return ids, unknown


def unknown_topics(context: Context, language: str, names: list[str]) -> str:
    """The answer to topic names that match none: those names and every topic id."""
    known = ", ".join(t.id for t in context.marsad.topics.topics)
    return say(language, "unknown_topics", names=html.escape(", ".join(names)), ids=known)


def topic_token(topic_id: str) -> str:
    """Callback data for a topic: its id, or a short hash when the id is too long."""
    data = TOGGLE_PREFIX + topic_id
    if len(data.encode()) <= MAX_CALLBACK_BYTES:
        return data
    return TOGGLE_PREFIX + "#" + hashlib.sha256(topic_id.encode()).hexdigest()[:16]


def topic_keyboard(context: Context, language: str, subscribed: set[str]) -> InlineKeyboardMarkup:
    """One button per topic, marked when subscribed; a tap toggles it."""
    engine = context.marsad.topics
    rows = [
        [
            InlineKeyboardButton(
                f"{'✅' if topic.id in subscribed else '▫️'} {engine.name(topic.id, language)}",
                callback_data=topic_token(topic.id),
            )
        ]
        for topic in engine.topics
    ]
    return InlineKeyboardMarkup(rows)


async def _checked_topics(update: Update, context: Context, usage: str) -> list[str] | None:
    """The topics named in a (un)subscribe command, or None after answering why not."""
    language = await chat_language(update, context)
    if not await may_manage(update, context):
        await reply(update, say(language, "admins_only"))
        return None
    if not context.args:
        subscribed = await current_subscriptions(update, context)
        keyboard = topic_keyboard(context, language, subscribed)
        prompt = say(language, usage) + "\n" + say(language, "choose_topics")
        await reply(update, prompt, keyboard)
        return None
    ids, unknown = resolve_topics(context, context.args)
    if unknown:
        await reply(update, unknown_topics(context, language, unknown))
        return None
    return ids


async def subscribe(update: Update, context: Context) -> None:
    """Subscribe this chat (or forum topic) to the named topics; no names: the keyboard."""
    ids = await _checked_topics(update, context, "subscribe_usage")
    chat = update.effective_chat
    if ids is None or chat is None:
        return
    language = await chat_language(update, context)
    marsad = context.marsad
    await ensure_chat(update, context, language)
    added = await marsad.store.subscribe(
        chat.id, ids, now=marsad.clock(), thread_id=thread_of(update.effective_message)
    )
    names = ", ".join(marsad.topics.name(i, language) for i in (added or ids))
    await reply(
        update, say(language, "subscribed" if added else "already", topics=html.escape(names))
    )


async def unsubscribe(update: Update, context: Context) -> None:
    """Unsubscribe this chat (or forum topic) from the named topics; no names: the keyboard."""
    ids = await _checked_topics(update, context, "unsubscribe_usage")
    chat = update.effective_chat
    if ids is None or chat is None:
        return
    language = await chat_language(update, context)
    marsad = context.marsad
    removed = await marsad.store.unsubscribe(
        chat.id, ids, thread_id=thread_of(update.effective_message)
    )
    names = html.escape(", ".join(marsad.topics.name(i, language) for i in ids))
    await reply(
        update, say(language, "unsubscribed" if removed else "not_subscribed", topics=names)
    )


async def toggle_topic(update: Update, context: Context) -> None:
    """A tap on the topic keyboard: subscribe or unsubscribe, then redraw the keyboard."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    language = await chat_language(update, context)
    if not await may_manage(update, context):
        await query.answer(say(language, "admins_only"), show_alert=True)
        return
    topic_id = _topic_of_token(context, query.data or "")
    if topic_id is None:
        await query.answer(say(language, "keyboard_stale"), show_alert=True)
        return
    marsad, thread = context.marsad, thread_of(update.effective_message)
    name = marsad.topics.name(topic_id, language)
    subscribed = set(await marsad.store.subscriptions(chat.id, thread_id=thread))
    if topic_id in subscribed:
        await marsad.store.unsubscribe(chat.id, [topic_id], thread_id=thread)
        subscribed.discard(topic_id)
        note = say(language, "toggled_off", topic=name)
    else:
        await ensure_chat(update, context, language)
        await marsad.store.subscribe(chat.id, [topic_id], now=marsad.clock(), thread_id=thread)
        subscribed.add(topic_id)
        note = say(language, "toggled_on", topic=name)
    await query.answer(note)
    await query.edit_message_text(
        say(language, "choose_topics"),
        parse_mode=ParseMode.HTML,
        reply_markup=topic_keyboard(context, language, subscribed),
    )


def _topic_of_token(context: Context, data: str) -> str | None:
    """The enabled topic a keyboard button names, or None (deleted since, or forged)."""
    for topic in context.marsad.topics.topics:
        if topic_token(topic.id) == data:
            return topic.id
    return None


async def mysubs(update: Update, context: Context) -> None:
    """This chat's subscriptions and alert settings."""
    language = await chat_language(update, context)
    subscribed = await current_subscriptions(update, context)
    if subscribed:
        lines = "\n".join(
            f"✅ <code>{i}</code> — {html.escape(context.marsad.topics.name(i, language))}"
            for i in sorted(subscribed)
        )
        text = say(language, "mysubs", topics=lines)
    else:
        text = say(language, "mysubs_none")
    await reply(update, text + "\n\n" + await settings_line(update, context, language))


async def settings_line(update: Update, context: Context, language: str) -> str:
    """One line: digest mode, time zone, reply language and mute."""
    chat = update.effective_chat
    settings = await context.marsad.store.chat_settings(chat.id) if chat else None
    tz = settings.timezone if settings else "UTC"
    digest = settings.digest if settings else "off"
    mode = say(language, f"digest_mode_{digest}", time=settings.digest_at if settings else "")
    lang = settings.language if settings and settings.language_fixed else say(language, "lang_auto")
    muted = ""
    now = context.marsad.clock()
    if settings and settings.muted_until and settings.muted_until > now:
        muted = say(language, "muted_until_note", time=when(settings.muted_until, tz, language))
    return say(language, "mysubs_settings", digest=mode, tz=html.escape(tz), lang=lang, muted=muted)
