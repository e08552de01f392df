"""/search <words> [topic:<id>] [since:<N>h|<N>d] [lang:ar|en|fr], five results a page.

The words and filters are parsed here; bot.storage.search normalises the words exactly as
the index was built and quotes every token, so no input reaches the database as syntax.
A page's button carries a short key to the search kept in memory (Telegram allows 64
bytes of callback data, too few for an Arabic query).
"""

from __future__ import annotations

import html
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.delivery.summarise import truncate_words
from bot.render import is_rtl, isolate, safe_url
from bot.storage.search import SearchHit, SearchQuery, query_terms
from handlers.context import Context
from handlers.subscriptions import chat_language, reply, unknown_topics, when
from handlers.texts import say

PAGE = 5
MAX_TITLE = 300  # five headlines must fit one message (4096 characters)
PAGE_PREFIX = "srch:"
KEPT_SEARCHES = 500  # searches whose pages can still be turned
_SEARCHES = "searches"
MAX_SINCE_DAYS = 3650
LANGUAGES = ("ar", "en", "fr")
_FILTER = re.compile(r"(topic|since|lang):(\S*)", re.IGNORECASE)
_SINCE = re.compile(r"(\d{1,5})([hd])", re.IGNORECASE)
# Pairs of quotes people type: straight, curly, Arabic guillemets.
_PAIRS = (("«", "»"), ("“", "”"))


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A search whose pages a button may ask for: the query, as shown, at the time it ran."""

    query: SearchQuery
    shown: str  # HTML: the words and filters as the user typed them
    filters: bool
    now: datetime


class SearchError(ValueError):
    """A query that cannot be run; args[0] is the text key, args[1] what to fill in."""


def parse_query(text: str, now: datetime, resolve: dict[str, str | None]) -> SearchQuery:
    """A SearchQuery from the text after /search; `resolve` maps topic names to ids."""
    if text.count('"') % 2 or any(text.count(a) != text.count(b) for a, b in _PAIRS):
        raise SearchError("search_unbalanced", "")
    topic = since = language = None
    words = []
    for token in text.split():
        match = _FILTER.fullmatch(token)
        if match is None:
            words.append(token)
            continue
        name, value = match.group(1).lower(), match.group(2)
        if not value:
            raise SearchError("search_usage", "")
        if name == "topic":
            topic = resolve.get(value)
            if topic is None:
                raise SearchError("unknown_topics", value)
        elif name == "since":
            since = now - _period(value)
        else:
            language = value.lower()
            if language not in LANGUAGES:
                raise SearchError("search_bad_lang", value)
    query = SearchQuery(" ".join(words), topic=topic, since=since, language=language)
    if not words and not (topic or since or language):
        raise SearchError("search_usage", "")
    if words and not query_terms(query.text, language):
        raise SearchError("search_no_words", "")
    return query


def _period(value: str) -> timedelta:
    """since:<N>h or since:<N>d as a duration."""
    match = _SINCE.fullmatch(value)
    if match is None or int(match.group(1)) == 0:
        raise SearchError("search_bad_since", value)
    count, unit = int(match.group(1)), match.group(2).lower()
    period = timedelta(hours=count) if unit == "h" else timedelta(days=count)
    if period > timedelta(days=MAX_SINCE_DAYS):
        raise SearchError("search_bad_since", value)
    return period


async def search(update: Update, context: Context) -> None:
    """Run a search and show its first five results."""
    language = await chat_language(update, context)
    text = " ".join(context.args or [])
    marsad = context.marsad
    names = {token.split(":", 1)[1] for token in text.split() if token.lower().startswith("topic:")}
    resolve = {name: marsad.topics.resolve(name) for name in names}
    now = marsad.clock()
    try:
        query = parse_query(text, now, resolve)
    except SearchError as exc:
        await reply(update, _error_text(context, language, exc))
        return
    filters = [t for t in text.split() if _FILTER.fullmatch(t)]
    words = " ".join(t for t in text.split() if not _FILTER.fullmatch(t))
    saved = SavedSearch(query, _quoted(words, filters), bool(filters), now)
    key = _keep(context, saved)
    body, markup = await _page(context, update, language, saved, key, 0)
    await reply(update, body, markup)


def _quoted(words: str, filters: list[str]) -> str:
    """The query as shown back (HTML): «words» (filters), isolated for mixed scripts."""
    # Isolate first, escape after: isolating could split an entity such as &quot;.
    shown = f"«{html.escape(isolate(words, rtl=is_rtl(words)))}»" if words else ""
    if filters:
        listed = html.escape(" ".join(filters))
        shown = f"{shown} ({listed})" if shown else f"({listed})"
    return shown


def _error_text(context: Context, language: str, exc: SearchError) -> str:
    """The one-line answer to a query that cannot run."""
    key, value = exc.args
    if key == "unknown_topics":
        return unknown_topics(context, language, [value])
    return say(language, key, value=html.escape(value))


def _keep(context: Context, saved: SavedSearch) -> str:
    """Remember a search for its page buttons; return its key."""
    searches: OrderedDict[str, SavedSearch] = context.bot_data.setdefault(_SEARCHES, OrderedDict())
    key = secrets.token_urlsafe(6)
    searches[key] = saved
    while len(searches) > KEPT_SEARCHES:
        searches.popitem(last=False)
    return key


async def _page(
    context: Context, update: Update, language: str, saved: SavedSearch, key: str, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons of the page at offset."""
    marsad = context.marsad
    page = await marsad.store.search(saved.query, now=saved.now, offset=offset, limit=PAGE)
    if not page.hits:
        hint = say(language, "search_hint_filter" if saved.filters else "search_hint_word")
        return say(language, "search_empty", query=saved.shown, hint=hint), None
    chat = update.effective_chat
    settings = await marsad.store.chat_settings(chat.id) if chat else None
    tz = settings.timezone if settings else "UTC"
    header = say(
        language,
        "search_header",
        first=str(offset + 1),
        last=str(offset + len(page.hits)),
        query=saved.shown,
    )
    lines = [header, ""]
    for number, hit in enumerate(page.hits, start=offset + 1):
        lines += [_hit_line(number, hit), _source_line(language, hit, tz), ""]
    buttons = []
    if offset > 0:
        prev_data = f"{PAGE_PREFIX}{key}:{max(offset - PAGE, 0)}"
        buttons.append(InlineKeyboardButton(say(language, "search_prev"), callback_data=prev_data))
    if page.more:
        next_data = f"{PAGE_PREFIX}{key}:{offset + PAGE}"
        buttons.append(InlineKeyboardButton(say(language, "search_next"), callback_data=next_data))
    return "\n".join(lines).rstrip(), InlineKeyboardMarkup([buttons]) if buttons else None


def _hit_line(number: int, hit: SearchHit) -> str:
    """`n. headline`, the headline linked to the article."""
    title = truncate_words(" ".join(hit.title.split()), MAX_TITLE) or "…"
    text = html.escape(isolate(title, rtl=is_rtl(title)))
    link = safe_url(hit.url)
    if link:
        text = f'<a href="{html.escape(link, quote=True)}">{text}</a>'
    return f"{number}. <b>{text}</b>"


def _source_line(language: str, hit: SearchHit, tz: str) -> str:
    """The source and the publication time in the chat's zone."""
    source = hit.source or "—"
    isolated = html.escape(isolate(source, rtl=is_rtl(source)))
    return say(language, "search_source", source=isolated, when=when(hit.published, tz, language))


async def turn_page(update: Update, context: Context) -> None:
    """A tap on «next five» or «previous»: show that page in the same message."""
    query = update.callback_query
    if query is None:
        return
    language = await chat_language(update, context)
    key, _, offset_text = (query.data or "").removeprefix(PAGE_PREFIX).partition(":")
    searches: OrderedDict[str, SavedSearch] = context.bot_data.get(_SEARCHES, OrderedDict())
    saved = searches.get(key)
    if saved is None or not offset_text.isdigit():
        await query.answer(say(language, "search_expired"), show_alert=True)
        return
    await query.answer()
    body, markup = await _page(context, update, language, saved, key, int(offset_text))
    await query.edit_message_text(
        body, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
    )
