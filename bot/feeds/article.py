"""The main text of an article page, for feeds that carry only a lede."""

from __future__ import annotations

# A feed item shorter than this is worth completing from its page.
LEDE_ONLY_CHARS = 600


def extract_main_text(page: bytes) -> str | None:
    """The page's main text (paragraphs kept), or None when no article is found.

    Runs in a worker process; trafilatura is imported here, so workers of newsrooms that
    never use the option do not pay its memory.
    """
    import trafilatura  # deliberately lazy, see above

    text = trafilatura.extract(
        page,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,  # a shorter true text beats menus and related links
        deduplicate=True,
    )
    return text.strip() or None if text else None


def better_text(feed_text: str, page_text: str | None) -> str:
    """The page's text when it is longer than the feed's lede, else the feed's."""
    if page_text and len(page_text) > len(feed_text):
        return page_text
    return feed_text
