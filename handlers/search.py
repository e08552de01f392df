"""/search <words> [topic:<id>] [since:<N>h|<N>d] [lang:ar|en|fr], five stories a page:
one line per story (its best-ranked report) with how many outlets reported it.

bot.services.search reads the text once into a query; bot.storage.search runs it, with
every token quoted, so no input reaches the database as syntax. A page's button carries a
short key to the search kept in memory (Telegram allows 64 bytes of callback data, too few
for an Arabic query).
"""

from __future__ import annotations

import html
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.delivery.summarise import truncate_words
from bot.errors import SearchError
from bot.render import is_rtl, isolate, safe_url
from bot.services.search import parse_search
from bot.storage.search import SearchHit, SearchQuery
from handlers.context import Context
from handlers.subscriptions import chat_language, reply, unknown_topics, when
from handlers.texts import say

PAGE = 5
MAX_TITLE = 300  # five headlines must fit one message (4096 characters)
PAGE_PREFIX = "srch:"
KEPT_SEARCHES = 500  # searches whose pages can still be turned
_SEARCHES = "searches"


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A search whose pages a button may ask for: the query, as shown, at the time it ran."""

    query: SearchQuery
    shown: str  # HTML: the words and filters as the user typed them
    filters: bool
    now: datetime


async def search(update: Update, context: Context) -> None:
    """Run a search and show its first five results."""
    language = await chat_language(update, context)
    marsad = context.marsad
    now = marsad.clock()
    try:
        parsed = parse_search(" ".join(context.args or []), now, marsad.topics.resolve)
    except SearchError as exc:
        await reply(update, _error_text(context, language, exc))
        return
    shown = _quoted(parsed.query.text, parsed.filters)
    saved = SavedSearch(parsed.query, shown, bool(parsed.filters), now)
    key = _keep(context, saved)
    body, markup = await _page(context, update, language, saved, key, 0)
    await reply(update, body, markup)


def _quoted(words: str, filters: tuple[str, ...]) -> str:
    """The query as shown back (HTML): «words» (filters), isolated for mixed scripts."""
    # Isolate first, escape after: isolating could split an entity such as &quot;.
    shown = f"«{html.escape(isolate(words, rtl=is_rtl(words)))}»" if words else ""
    if filters:
        listed = html.escape(" ".join(filters))
        shown = f"{shown} ({listed})" if shown else f"({listed})"
    return shown


def _error_text(context: Context, language: str, exc: SearchError) -> str:
    """The one-line answer to a query that cannot run."""
    if exc.key == "unknown_topics":
        return unknown_topics(context, language, [exc.value])
    return say(language, exc.key, value=html.escape(exc.value))


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
    """The source, the publication time in the chat's zone, and the story's outlets."""
    source = hit.source or "—"
    isolated = html.escape(isolate(source, rtl=is_rtl(source)))
    line = say(language, "search_source", source=isolated, when=when(hit.published, tz, language))
    if hit.outlets > 1:  # the other reports of its story are not listed: say how many
        line += " · " + say(language, "search_outlets", n=str(hit.outlets))
    return line


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
