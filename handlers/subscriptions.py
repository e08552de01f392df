"""/start, /help, /topics, /subscribe, /unsubscribe and /mysubs."""

from __future__ import annotations

import html

from telegram import Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from handlers.context import Context
from handlers.texts import say, user_language

MANAGERS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


def thread_of(message: Message | None) -> int:
    """The forum topic a message was sent in, or 0."""
    if message is not None and message.is_topic_message and message.message_thread_id:
        return message.message_thread_id
    return 0


async def reply(update: Update, text: str) -> None:
    """Answer in the same chat (and forum topic) as HTML, without link previews."""
    if update.effective_message is not None:
        await update.effective_message.reply_html(text, disable_web_page_preview=True)


async def may_manage(update: Update, context: Context) -> bool:
    """Private chats manage themselves; in groups only the group's admins may."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in MANAGERS


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
    """Welcome: what Marsad watches and how to subscribe."""
    language = user_language(update)
    topics = topic_lines(context, language, await current_subscriptions(update, context))
    await reply(update, say(language, "start", topics=topics))


async def help_command(update: Update, context: Context) -> None:
    """The commands, one example each."""
    await reply(update, say(user_language(update), "help"))


async def topics_command(update: Update, context: Context) -> None:
    """Every topic, and whether this chat is subscribed to it."""
    language = user_language(update)
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


async def _checked_topics(update: Update, context: Context, usage: str) -> list[str] | None:
    """The topics named in a (un)subscribe command, or None after answering why not."""
    language = user_language(update)
    if not context.args:
        await reply(update, say(language, usage))
        return None
    if not await may_manage(update, context):
        await reply(update, say(language, "admins_only"))
        return None
    ids, unknown = resolve_topics(context, context.args)
    if unknown:
        known = ", ".join(t.id for t in context.marsad.topics.topics)
        await reply(
            update,
            say(language, "unknown_topics", names=html.escape(", ".join(unknown)), ids=known),
        )
        return None
    return ids


async def subscribe(update: Update, context: Context) -> None:
    """Subscribe this chat (or forum topic) to the named topics."""
    ids = await _checked_topics(update, context, "subscribe_usage")
    chat = update.effective_chat
    if ids is None or chat is None:
        return
    language = user_language(update)
    marsad = context.marsad
    now = marsad.clock()
    await marsad.store.upsert_chat(
        chat.id, kind=chat.type, title=chat.title or chat.username, language=language, now=now
    )
    added = await marsad.store.subscribe(
        chat.id, ids, now=now, thread_id=thread_of(update.effective_message)
    )
    names = ", ".join(marsad.topics.name(i, language) for i in (added or ids))
    await reply(
        update, say(language, "subscribed" if added else "already", topics=html.escape(names))
    )


async def unsubscribe(update: Update, context: Context) -> None:
    """Unsubscribe this chat (or forum topic) from the named topics."""
    ids = await _checked_topics(update, context, "unsubscribe_usage")
    chat = update.effective_chat
    if ids is None or chat is None:
        return
    language = user_language(update)
    marsad = context.marsad
    removed = await marsad.store.unsubscribe(
        chat.id, ids, thread_id=thread_of(update.effective_message)
    )
    names = html.escape(", ".join(marsad.topics.name(i, language) for i in ids))
    await reply(
        update, say(language, "unsubscribed" if removed else "not_subscribed", topics=names)
    )


async def mysubs(update: Update, context: Context) -> None:
    """This chat's subscriptions."""
    language = user_language(update)
    subscribed = await current_subscriptions(update, context)
    if not subscribed:
        await reply(update, say(language, "mysubs_none"))
        return
    lines = "\n".join(
        f"✅ <code>{i}</code> — {html.escape(context.marsad.topics.name(i, language))}"
        for i in sorted(subscribed)
    )
    await reply(update, say(language, "mysubs", topics=lines))
