"""/testfilter's article: the stored copy, else its page fetched and read as the pipeline does.

The page is fetched through the shared session (the address policy, limits and proxy of
every feed fetch), decoded in the charset its server or its HTML declares, and converted
in the parser workers, off the event loop.
"""

from __future__ import annotations

import aiohttp

from bot.errors import PageUnavailable
from bot.feeds.article import PageText, page_text
from bot.feeds.fetch import FetchLimits, fetch_feed
from bot.feeds.normalise import canonical_url
from bot.feeds.parse import ParserPool
from bot.models import FetchStatus
from bot.storage.protocols import ArticleStore


async def article_text(
    url: str,
    *,
    store: ArticleStore,
    session: aiohttp.ClientSession,
    parsers: ParserPool,
    limits: FetchLimits,
) -> PageText:
    """The stored article at url, else its page's title and main text; PageUnavailable if unread."""
    article = await store.article_by_url(canonical_url(url))
    if article is not None:
        return PageText(article.title, article.text)
    # The admin typed this address, so a user:password@ in it is theirs to use.
    page = await fetch_feed(session, url, limits=limits, admin_typed=True)
    if page.status is not FetchStatus.OK:
        raise PageUnavailable(page.error or "the page could not be fetched")
    return await parsers.run(page_text, page.body, page.headers)
