"""Admins' /story and /split: a story's reports with why each joined, and detaching one
wrongly joined (it becomes its own story and alerts its topics' chats). Both audited."""

from __future__ import annotations

from telegram import Update

from bot.models import Story
from bot.services.stories import SplitOutcome, audit_view, split_article
from handlers.admin_common import actor, arguments, reply_blocks
from handlers.context import Context
from handlers.storytext import member_block
from handlers.subscriptions import chat_language, reply
from handlers.texts import say


async def _replied_article(update: Update, context: Context) -> int | None:
    """The article of the alert a command replies to (the first one of a digest), or None."""
    message, chat = update.effective_message, update.effective_chat
    replied = message.reply_to_message if message else None
    if replied is None or chat is None:
        return None
    articles = await context.marsad.store.delivered_articles(chat.id, replied.message_id)
    return articles[0].article_id if articles else None


async def _target(update: Update, context: Context, usage: str) -> int | None:
    """The article id a command names, or of the alert it replies to; None after saying why."""
    args = arguments(update)
    language = await chat_language(update, context)
    if len(args) == 1 and args[0].isdigit():
        return int(args[0])
    if not args:
        found = await _replied_article(update, context)
        if found is not None:
            return found
        message = update.effective_message
        if message is not None and message.reply_to_message is not None:
            await reply(update, say(language, "why_unknown"))
            return None
    await reply(update, say(language, usage))
    return None


async def _story(context: Context, some_id: int) -> Story | None:
    """A story by its id, else the story of the article with that id."""
    store = context.marsad.store
    return await store.story(some_id) or await store.story_of(some_id)


async def story_command(update: Update, context: Context) -> None:
    """/story <id> (a story's or an article's) or in reply to an alert: its reports."""
    target = await _target(update, context, "story_usage")
    if target is None:
        return
    language = await chat_language(update, context)
    marsad = context.marsad
    story = await _story(context, target)
    if story is None:
        await reply(update, say(language, "story_unknown", id=str(target)))
        return
    await audit_view(marsad.store, story.id, actor=actor(update), now=marsad.clock())
    members = await marsad.store.story_members(story.id)
    header = say(
        language,
        "story_header",
        id=str(story.id),
        members=str(story.members),
        outlets=str(story.outlets),
    )
    if story.breaking_at is not None:
        header += " " + say(language, "story_breaking")
    await reply_blocks(update, [header, *(member_block(m, language) for m in members)])


async def split(update: Update, context: Context) -> None:
    """/split <article id> or in reply to an alert: detach it into its own story, alert it."""
    target = await _target(update, context, "split_usage")
    if target is None:
        return
    language = await chat_language(update, context)
    marsad = context.marsad
    done = await split_article(marsad.store, target, actor=actor(update), now=marsad.clock())
    if done.outcome is SplitOutcome.UNKNOWN:
        await reply(update, say(language, "split_unknown", id=str(target)))
    elif done.outcome is SplitOutcome.ALONE:
        await reply(update, say(language, "split_alone", id=str(target)))
    else:
        text = say(
            language,
            "split_done",
            id=str(target),
            old=str(done.old_story),
            story=str(done.story.id if done.story else target),
            alerts=str(done.alerts),
        )
        await reply(update, text)
