"""Every shape a Marsad message takes, and nothing else: changing how one looks touches
one module here.

Shapes (pure functions: records in, text out):

- `alert_html` / `render_alert`: one article for one chat, Telegram HTML (alert.py);
- `burst_digest` / `render_digest`: many alerts due at once, as linked headlines (digest.py);
- `render_grouped`: the scheduled digest, one line per story under its topic (digest.py);
- `console_alert` (text or JSON lines) and `console_first_poll`: the console (console.py).

Their pieces: text.py (lengths as Telegram counts them, bidi isolation, escaping, links,
local times) and labels.py (labels per UI language; topics' hashtags and names, looked up
in a `TopicBook` — the live TopicEngine in the bot, a `TopicTable` elsewhere).

To add a shape (a story's "+3 outlets" edit, a breaking mark, a digest by story): write
one function taking the records it shows and a `TopicBook`, returning text or `Message`s;
build it from text.py's pieces, so feed text is cut, then isolated, then escaped; put any
new words in LABELS in every UI language; export it here and pin it in tests/delivery.
Callers (the send queue, digests, the console sender) only choose a shape and send it.
"""

from __future__ import annotations

from bot.render.alert import alert_html, evidence_lines, render_alert
from bot.render.console import console_alert, console_first_poll
from bot.render.digest import (
    DigestItem,
    StoryRef,
    burst_digest,
    digest_item,
    render_digest,
    render_digest_parts,
    render_grouped,
)
from bot.render.labels import NO_TOPICS, TopicBook, TopicTable, hashtag, topic_name
from bot.render.text import (
    FSI,
    MAX_MESSAGE,
    PDI,
    is_rtl,
    isolate,
    local_time,
    safe_url,
    utf16_len,
    visible_len,
    zone,
)

__all__ = [
    "FSI",
    "MAX_MESSAGE",
    "NO_TOPICS",
    "PDI",
    "DigestItem",
    "StoryRef",
    "TopicBook",
    "TopicTable",
    "alert_html",
    "burst_digest",
    "console_alert",
    "console_first_poll",
    "digest_item",
    "evidence_lines",
    "hashtag",
    "is_rtl",
    "isolate",
    "local_time",
    "render_alert",
    "render_digest",
    "render_digest_parts",
    "render_grouped",
    "safe_url",
    "topic_name",
    "utf16_len",
    "visible_len",
    "zone",
]
