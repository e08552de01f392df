"""Admins' topic commands: create, delete, list and edit terms, test the rules, reclassify."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.errors import PageUnavailable, TopicEditError
from bot.feeds.feedlist import is_http_url
from bot.services import pages
from bot.services import topics as service
from bot.services.topics import ReclassifyReport, StoredTopic
from classifiers import Classification, Term, Topic
from classifiers.text import is_arabic_char
from handlers.admin_common import (
    actor,
    arguments,
    esc,
    isolated,
    number,
    reply_blocks,
    rest_of_message,
    shorten,
)
from handlers.context import Context
from handlers.subscriptions import chat_language, reply
from handlers.texts import say

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
TERMS_PER_LINE = 25
DEFAULT_RECLASSIFY_HOURS = 24
PROGRESS_SECONDS = 3.0  # a long /reclassify edits its message at most this often
_RECLASSIFY_TASK = "reclassify_task"  # bot_data key of the running /reclassify


def _weight(args: list[str], default: float) -> tuple[list[str], float]:
    """Split a trailing number off the arguments as a weight."""
    if len(args) > 1 and _NUMBER.fullmatch(args[-1]):
        return args[:-1], float(args[-1])
    return args, default


async def _topic_named(
    update: Update, context: Context, usage: str, minimum: int
) -> StoredTopic | None:
    """The stored topic a command names first, or None after answering why not."""
    language, args = await chat_language(update, context), arguments(update)
    if len(args) < minimum:
        await reply(update, say(language, usage))
        return None
    marsad = context.marsad
    stored = await service.find_topic(marsad.store, marsad.topics, args[0])
    if stored is None:
        ids = ", ".join(sorted(await marsad.store.topic_ids()))
        await reply(update, say(language, "unknown_topics", names=esc(args[0]), ids=esc(ids)))
    return stored


def _names(words: list[str]) -> dict[str, str]:
    """Arabic and English names from the words after the id, told apart by their script."""
    parts: dict[str, list[str]] = {"ar": [], "en": []}
    for word in words:
        parts["ar" if any(is_arabic_char(c) for c in word) else "en"].append(word)
    return {lang: " ".join(found) for lang, found in parts.items() if found}


async def newtopic(update: Update, context: Context) -> None:
    """Create a topic: an id, then optional Arabic and English names (quoted if several words)."""
    language, args = await chat_language(update, context), arguments(update)
    if not args:
        await reply(update, say(language, "newtopic_usage"))
        return
    names = _names(args[1:])
    marsad = context.marsad
    try:
        stored, changed = await service.create_topic(
            marsad.store, marsad.topics, args[0], names, actor=actor(update), now=marsad.clock()
        )
    except TopicEditError as exc:
        await reply(update, say(language, "topic_invalid", reason=esc(exc)))
        return
    key = "topic_exists"
    if changed:
        key = "topic_enabled" if stored.builtin else "topic_created"
    await reply(update, say(language, key, id=esc(stored.topic.id)))


async def deltopic(update: Update, context: Context) -> None:
    """Delete an admin's topic; disable a built-in one."""
    stored = await _topic_named(update, context, "deltopic_usage", 1)
    if stored is None:
        return
    marsad, language = context.marsad, await chat_language(update, context)
    changed = await service.delete_topic(
        marsad.store, marsad.topics, stored, actor=actor(update), now=marsad.clock()
    )
    key = "topic_disabled" if stored.builtin else "topic_deleted"
    await reply(
        update, say(language, key if changed else "topic_already_off", id=esc(stored.topic.id))
    )


def _term_lines(label: str, terms: tuple[Term, ...]) -> list[str]:
    """Terms by language, a bounded number a line so no line outgrows a message."""
    lines = []
    by_lang: dict[str, list[Term]] = {}
    for term in terms:
        by_lang.setdefault(term.lang, []).append(term)
    for lang, items in by_lang.items():
        for start in range(0, len(items), TERMS_PER_LINE):
            part = items[start : start + TERMS_PER_LINE]
            words = "، ".join(f"{isolated(t.text)} ({number(t.weight)})" for t in part)
            lines.append(f"<b>{esc(label)} {esc(lang)}</b>: {words}")
    return lines


def terms_blocks(stored: StoredTopic, language: str) -> list[str]:
    """A topic's rules: threshold, terms, exclusions and groups."""
    topic: Topic = stored.topic
    state = "on" if stored.enabled else ("draft" if stored.draft else "off")
    head = say(
        language,
        "terms_header",
        id=esc(topic.id),
        name=esc(topic.names.get(language) or topic.names.get("en") or topic.id),
        threshold=number(topic.threshold),
        state=say(language, f"topic_state_{state}"),
    )
    lines = [head]
    lines += _term_lines(say(language, "terms_label"), topic.terms)
    lines += _term_lines(say(language, "exclusions_label"), topic.exclusions)
    for group in topic.groups:
        lines += _term_lines(say(language, "group_label", name=group.name), group.terms)
    if stored.draft:
        lines.append(say(language, "topic_draft_hint", id=esc(topic.id)))
    return lines


async def terms(update: Update, context: Context) -> None:
    """A topic's terms, weights, exclusions and groups."""
    stored = await _topic_named(update, context, "terms_usage", 1)
    if stored is not None:
        await reply_blocks(update, terms_blocks(stored, await chat_language(update, context)))


async def addterm(update: Update, context: Context) -> None:
    """Add terms (quote a phrase) to a topic, with an optional weight at the end."""
    stored = await _topic_named(update, context, "addterm_usage", 2)
    if stored is None:
        return
    words, weight = _weight(arguments(update)[1:], 1.0)
    marsad, language = context.marsad, await chat_language(update, context)
    try:
        saved = await service.add_terms(
            marsad.store,
            marsad.topics,
            stored,
            words,
            weight,
            actor=actor(update),
            now=marsad.clock(),
        )
    except TopicEditError as exc:
        await reply(update, say(language, "topic_invalid", reason=esc(exc)))
        return
    listed = "، ".join(isolated(w) for w in words)
    await reply(
        update,
        say(
            language,
            "term_added",
            terms=listed,
            weight=number(weight),
            id=esc(saved.topic.id),
            threshold=number(saved.topic.threshold),
        ),
    )


async def removeterm(update: Update, context: Context) -> None:
    """Remove a term from a topic."""
    stored = await _topic_named(update, context, "removeterm_usage", 2)
    if stored is None:
        return
    term = " ".join(arguments(update)[1:])
    marsad, language = context.marsad, await chat_language(update, context)
    try:
        await service.remove_term(
            marsad.store, marsad.topics, stored, term, actor=actor(update), now=marsad.clock()
        )
    except TopicEditError as exc:
        await reply(update, say(language, "topic_invalid", reason=esc(exc)))
        return
    await reply(update, say(language, "term_removed", term=isolated(term), id=esc(stored.topic.id)))


async def exclude(update: Update, context: Context) -> None:
    """Add an exclusion phrase to a topic, with an optional penalty at the end."""
    stored = await _topic_named(update, context, "exclude_usage", 2)
    if stored is None:
        return
    words, penalty = _weight(arguments(update)[1:], 0.0)
    term = " ".join(words)
    marsad, language = context.marsad, await chat_language(update, context)
    try:
        await service.add_exclusion(
            marsad.store,
            marsad.topics,
            stored,
            term,
            penalty,
            actor=actor(update),
            now=marsad.clock(),
        )
    except TopicEditError as exc:
        await reply(update, say(language, "topic_invalid", reason=esc(exc)))
        return
    text = say(language, "exclusion_added", term=isolated(term), id=esc(stored.topic.id))
    await reply(update, text)


def _split_text(text: str) -> tuple[str, str]:
    """A pasted article: its first non-empty line is the title, the rest the body."""
    lines = text.strip().split("\n")
    return lines[0].strip(), "\n".join(lines[1:]).strip()


def verdict_blocks(result: Classification, language: str) -> list[str]:
    """For every topic: decision, score against threshold, and the evidence."""
    blocks = [say(language, "testfilter_header", lang=esc(result.language or "?"))]
    for r in result.results:
        key = "verdict_yes" if r.matched else "verdict_no"
        lines = [
            say(
                language,
                key,
                id=esc(r.topic),
                score=number(round(r.score, 2)),
                threshold=number(r.threshold),
            )
        ]
        if r.evidence:
            evidence = esc(shorten("، ".join(r.evidence), 700))
            lines.append(say(language, "verdict_evidence", evidence=evidence))
        if r.excluded:
            lines.append(
                say(language, "verdict_excluded", items=esc(shorten("، ".join(r.excluded), 300)))
            )
        if r.missing:
            lines.append(say(language, "verdict_missing", items=esc(", ".join(r.missing))))
        blocks.append("\n".join(lines))
    return blocks


async def testfilter(update: Update, context: Context) -> None:
    """Run the live rules on a pasted text or an article URL; show every topic's verdict."""
    language, text = await chat_language(update, context), rest_of_message(update)
    if not text:
        await reply(update, say(language, "testfilter_usage"))
        return
    if len(text.split()) == 1 and is_http_url(text):
        marsad = context.marsad
        try:
            page = await pages.article_text(
                text,
                store=marsad.store,
                session=marsad.session,
                parsers=marsad.parsers,
                limits=marsad.options.limits,
            )
        except PageUnavailable as exc:
            await reply(update, say(language, "testfilter_fetch_failed", reason=esc(str(exc))))
            return
        title, body = page.title, page.text
    else:
        title, body = _split_text(text)
    result = service.classify(context.marsad.topics, title, body)
    await reply_blocks(update, verdict_blocks(result, language))


async def reclassify(update: Update, context: Context) -> None:
    """Re-run the rules over recent articles in the background; re-alert only with "alert"."""
    language, args = await chat_language(update, context), arguments(update)
    hours = DEFAULT_RECLASSIFY_HOURS
    alert = False
    for arg in args:
        if arg.isdigit() and 0 < int(arg) <= service.MAX_RECLASSIFY_HOURS:
            hours = int(arg)
        elif arg.lower() in ("alert", "تنبيه"):
            alert = True
        else:
            await reply(update, say(language, "reclassify_usage"))
            return
    running: asyncio.Task[None] | None = context.bot_data.get(_RECLASSIFY_TASK)
    if running is not None and not running.done():
        await reply(update, say(language, "reclassify_running"))
        return
    # One run per process (no await between the check and this): runs edit the same
    # articles, and a second one would only repeat the first's work.
    run = ReclassifyRun(update, context, language, hours=hours, alert=alert)
    context.bot_data[_RECLASSIFY_TASK] = asyncio.create_task(run(), name="reclassify")


async def stop_reclassify(bot_data: dict[Any, Any]) -> None:
    """Cancel a running /reclassify (at shutdown); each article it changed stays consistent."""
    task: asyncio.Task[None] | None = bot_data.pop(_RECLASSIFY_TASK, None)
    if task is not None and not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class ReclassifyRun:
    """One /reclassify in the background, shown in one message edited in place."""

    def __init__(
        self, update: Update, context: Context, language: str, *, hours: int, alert: bool
    ) -> None:
        """What to reclassify and where to report it."""
        self.update, self.context, self.language = update, context, language
        self.hours, self.alert = hours, alert
        self.message: ProgressMessage | None = None

    async def __call__(self) -> None:
        """Announce, reclassify with progress, then edit the message into the outcome."""
        language, marsad = self.language, self.context.marsad
        try:
            sent = await reply(
                self.update, say(language, "reclassify_started", hours=str(self.hours))
            )
            if sent is None:
                return
            self.message = ProgressMessage(sent, PROGRESS_SECONDS)
            report = await service.reclassify(
                marsad.store,
                marsad.topics,
                self.hours,
                alert=self.alert,
                actor=actor(self.update),
                now=marsad.clock(),
                progress=self.progress,
            )
            await self.message.finish(reclassify_outcome(report, self.hours, language))
        except asyncio.CancelledError:
            raise
        except Exception:  # a background task has no handler to fail into
            log.exception("reclassify failed")
            if self.message is not None:
                await self.message.finish(say(language, "error"))

    async def progress(self, checked: int, planned: int) -> None:
        """Show how far the run got (ProgressMessage decides whether to edit now)."""
        assert self.message is not None
        text = say(
            self.language,
            "reclassify_progress",
            hours=str(self.hours),
            done=isolated(f"{checked:,} / {planned:,}"),
        )
        await self.message.update(text)


class ProgressMessage:
    """A message edited in place as long work advances, at most once per `interval`."""

    def __init__(
        self, message: Message, interval: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        """The message was just sent: the first edit waits a full interval."""
        self.message, self.interval, self.monotonic = message, interval, monotonic
        self._last = monotonic()

    async def update(self, text: str) -> None:
        """Edit the message, unless it was edited less than an interval ago."""
        now = self.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        await self._edit(text)

    async def finish(self, text: str) -> None:
        """The last edit, made whatever the interval."""
        await self._edit(text)

    async def _edit(self, text: str) -> None:
        """Edit the text; a refusal costs one log line, never the work."""
        try:
            await self.message.edit_text(
                text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
            )
        except TelegramError as exc:
            log.warning("progress message in chat %s not edited: %s", self.message.chat_id, exc)


def reclassify_outcome(report: ReclassifyReport, hours: int, language: str) -> str:
    """What a finished run changed and, beyond its cap, what it left alone."""
    changes = [f"+{esc(k)} {v}" for k, v in sorted(report.added.items())]
    changes += [f"−{esc(k)} {v}" for k, v in sorted(report.removed.items())]
    text = say(
        language,
        "reclassify_done",
        hours=str(hours),
        checked=f"{report.checked:,}",
        changed=f"{report.changed:,}",
        details=isolated(", ".join(changes)) if changes else "—",
        alerts=f"{report.alerts:,}",
    )
    if report.skipped:
        text += "\n" + say(
            language,
            "reclassify_skipped",
            checked=f"{report.checked:,}",
            skipped=f"{report.skipped:,}",
        )
    return text
