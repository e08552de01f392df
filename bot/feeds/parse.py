"""Feed bytes to normalised entries, off the event loop, in worker processes.

Plain RSS 2.0 goes through an ElementTree fast path (fastparse.py) that gives exactly what
feedparser would; everything else goes through feedparser. `parse_feed` is pure and
synchronous with picklable arguments, so `ParserPool` can run it in another process and the
bot's event loop keeps answering commands during a big cycle.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urljoin

import feedparser

from bot.classify import Rules, prepare_entries
from bot.feeds.fastparse import fast_parse
from bot.feeds.normalise import (
    canonical_url,
    declares_entities,
    html_to_text,
    one_line,
    plain_text,
    title_hash,
)
from bot.logsafe import LogSetup, configure_worker
from bot.models import Entry, ParsedFeed

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What the worker processes run: imported once by the fork server, shared by the workers.
WORKER_MODULES = ("bot.feeds.parse", "bot.classify")

_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Serial retries after a worker crash before a feed is declared the culprit.
_RETRIES = 2
# Longer guids are hashed: they are database keys, and an index entry has a size limit.
_MAX_KEY = 512
# A character reference to a lone surrogate (U+D800..U+DFFF, hex or decimal) names no
# character: feedparser fails on the whole feed and ElementTree refuses it.
_SURROGATE_REF = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}"
    rb"|0*(?:5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]));"
)


def _struct_to_utc(value: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime, None when absent or absurd."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _detail_text(detail: Mapping[str, Any] | None, fallback: str) -> str:
    """Plain text of a feedparser text construct, stripping HTML only when it is HTML."""
    if detail is None:
        return html_to_text(fallback)
    value = str(detail.get("value") or "")
    if detail.get("type") in _HTML_TYPES:
        return html_to_text(value)
    return plain_text(value)


def _entry_text(entry: Mapping[str, Any]) -> str:
    """The fullest text an entry carries: content:encoded / atom:content, else the summary."""
    best = ""
    for content in entry.get("content") or ():
        text = _detail_text(content, str(content.get("value") or ""))
        if len(text) > len(best):
            best = text
    if best:
        return best
    return _detail_text(entry.get("summary_detail"), str(entry.get("summary") or ""))


def _language(tag: object) -> str | None:
    """Primary language subtag ("ar-SA" -> "ar"), or None."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _entry_language(entry: Mapping[str, Any], feed_language: str | None) -> str | None:
    """xml:lang of the entry's title or text, else the feed's language."""
    contents = entry.get("content") or ()
    for detail in (entry.get("title_detail"), entry.get("summary_detail"), *contents):
        if detail is not None and (lang := _language(detail.get("language"))):
            return lang
    return feed_language


def _entry_key(guid: str, url: str, title: str, text: str) -> str:
    """guid, else canonical link, else a hash of title and text."""
    guid = guid.strip()
    if guid:
        if len(guid) <= _MAX_KEY:
            return guid
        return "sha1:" + hashlib.sha1(guid.encode("utf-8"), usedforsecurity=False).hexdigest()
    if url and len(url) <= _MAX_KEY:
        return url
    seed = f"{title}\n{text}".encode()
    return "sha1:" + hashlib.sha1(seed, usedforsecurity=False).hexdigest()


def _to_entry(
    entry: Mapping[str, Any], base: str, feed_language: str | None, now: datetime
) -> Entry:
    """One feedparser entry as a normalised Entry."""
    title = _detail_text(entry.get("title_detail"), str(entry.get("title") or ""))
    text = _entry_text(entry)
    url = canonical_url(str(entry.get("link") or ""), base)
    published = (
        _struct_to_utc(entry.get("published_parsed"))
        or _struct_to_utc(entry.get("updated_parsed"))
        or now
    )
    # A clock set in the future (local time labelled GMT is common) would pin the item on top.
    published = min(published, now)
    return Entry(
        key=_entry_key(str(entry.get("id") or ""), url, title, text),
        url=url,
        title=title,
        text=text,
        published=published,
        title_hash=title_hash(title),
        language=_entry_language(entry, feed_language),
    )


def _ttl_seconds(value: object) -> int | None:
    """RSS <ttl> minutes as seconds, None when absent or nonsense."""
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


def _no_feed_reason(body: bytes, headers: Mapping[str, str], bozo: object) -> str:
    """One line saying why a body holds no feed."""
    content_type = headers.get("content-type", "").split(";")[0].strip() or "no content type"
    if _HTML_START.match(body[:2048]):
        return f"an HTML page, not a feed ({content_type})"
    reason = one_line(bozo, 200) if bozo else "no feed elements found"
    return f"not a feed ({content_type}): {reason}"


def without_surrogate_refs(body: bytes) -> bytes:
    """The body with each lone-surrogate character reference turned into U+FFFD's."""
    # One bad reference then costs one character instead of every entry of the feed.
    if b"&#" not in body:
        return body
    return _SURROGATE_REF.sub(b"&#xFFFD;", body)


def _feedparser_headers(headers: Mapping[str, str], url: str) -> dict[str, str]:
    """Response headers as feedparser reads them: lower-case names, a base URL, a content type."""
    lowered = {name.lower(): value for name, value in headers.items()}
    # feedparser only looks up lower-case names: a missing charset turns windows-1256 into
    # mojibake. Without any content type it flags every feed bozo, so assume XML.
    lowered.setdefault("content-type", "application/xml")
    lowered["content-location"] = urljoin(url, lowered.get("content-location", ""))
    return lowered


def parse_feed(
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    *,
    now: datetime,
    fast: bool = True,
    rules: Rules | None = None,
) -> ParsedFeed:
    """Parse one feed body; a refused or feedless body gives a ParsedFeed with `error` set.

    `fast` tries the ElementTree path for plain RSS 2.0 first (same result, ~15x quicker);
    anything it is unsure of goes to feedparser. With `rules`, every entry is also
    classified (`articles`): in a worker, that spares sending the entries there twice.
    """
    parsed = _parse(body, headers, url, now=now, fast=fast)
    if rules is None or not parsed.entries:
        return parsed
    return replace(parsed, articles=tuple(prepare_entries(rules, parsed.entries)))


def _parse(
    body: bytes, headers: Mapping[str, str], url: str, *, now: datetime, fast: bool
) -> ParsedFeed:
    """parse_feed without classification."""
    if not body.strip():
        return ParsedFeed(title=None, entries=(), error="empty body")
    if declares_entities(body):
        return ParsedFeed(title=None, entries=(), error="refused: the body declares XML entities")
    body = without_surrogate_refs(body)
    response_headers = _feedparser_headers(headers, url)
    if fast and (raw := fast_parse(body, response_headers)) is not None:
        return _build(raw[0], raw[1], response_headers, now, warning=None)
    try:
        result = feedparser.parse(
            io.BytesIO(body),  # never a str or bytes: feedparser would open it as a path or URL
            response_headers=response_headers,
            sanitize_html=False,  # we turn HTML into text ourselves; sanitising costs 1.3-2.4x
            resolve_relative_uris=False,  # only links matter, and canonical_url resolves those
        )
    except Exception as exc:  # feedparser on hostile input is an expected failure, not a bug
        return ParsedFeed(title=None, entries=(), error=f"feedparser failed: {exc!r}"[:300])
    bozo = result.get("bozo_exception") if result.get("bozo") else None
    raw_entries = result.get("entries") or []
    # feedparser names the format only when it found a feed root; an HTML page has none.
    if not raw_entries and not result.get("version"):
        reason = _no_feed_reason(body, response_headers, bozo)
        return ParsedFeed(title=None, entries=(), error=reason)
    warning = one_line(bozo) if bozo is not None else None
    return _build(result.get("feed") or {}, raw_entries, response_headers, now, warning)


def _build(
    feed: Mapping[str, Any],
    raw_entries: Sequence[Mapping[str, Any]],
    response_headers: Mapping[str, str],
    now: datetime,
    warning: str | None,
) -> ParsedFeed:
    """Normalise feedparser-shaped data (from either path) into a ParsedFeed."""
    base = response_headers["content-location"]
    feed_language = _language(feed.get("language")) or _language(
        response_headers.get("content-language")
    )
    entries = tuple(_to_entry(e, base, feed_language, now) for e in raw_entries)
    title = _detail_text(feed.get("title_detail"), str(feed.get("title") or "")) or None
    return ParsedFeed(
        title=title, entries=entries, ttl_seconds=_ttl_seconds(feed.get("ttl")), warning=warning
    )


ParseFunction = Callable[..., ParsedFeed]


class ParserPool:
    """Runs `parse_feed` in worker processes; a worker crash costs one feed, not the cycle."""

    def __init__(
        self,
        workers: int = 2,
        *,
        target: ParseFunction = parse_feed,
        log_setup: LogSetup | None = None,
    ) -> None:
        self._workers = workers
        self._target = target  # a module-level function, so worker processes can import it
        self._log_setup = log_setup  # the workers log (and mask secrets) as this process does
        self._generation = 0
        self._retry_lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        """A fresh executor whose workers fork from a clean server process.

        Forking this process is unsafe (it runs threads); a forkserver is a fresh process
        that imports the parsing and classification code once, and the workers forked
        from it share those pages instead of importing everything again. Each worker
        ignores Ctrl-C (the parent stops it) and logs through Marsad's masking handler.
        """
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(WORKER_MODULES))
        return ProcessPoolExecutor(
            self._workers,
            mp_context=context,
            initializer=configure_worker,
            initargs=(self._log_setup,),
        )

    def _replace(self, generation: int) -> None:
        """Swap a broken executor for a new one, once per breakage however many callers saw it."""
        if generation != self._generation:
            return
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._generation += 1
        self._pool = self._new_pool()

    async def parse(
        self,
        body: bytes,
        headers: Mapping[str, str],
        url: str,
        *,
        now: datetime,
        rules: Rules | None = None,
    ) -> ParsedFeed:
        """Parse (and classify, given rules) in a worker; a crash gives an error value."""
        args = (body, dict(headers), url)
        if (result := await self._attempt(args, now, rules)) is not None:
            return result
        # A dead worker fails every parse in flight, not only the culprit's. Retry them one at
        # a time, so an innocent feed is not killed again by the culprit's retry.
        for _retry in range(_RETRIES):
            async with self._lock():
                if (result := await self._attempt(args, now, rules)) is not None:
                    return result
        logger.warning("parser process crashed on %s every time; giving up on it", url)
        return ParsedFeed(title=None, entries=(), error="the parser process crashed on this feed")

    def _lock(self) -> asyncio.Lock:
        """The retry lock of the running loop (a pool may outlive one asyncio.run)."""
        loop = asyncio.get_running_loop()
        if self._retry_lock is None or self._lock_loop is not loop:
            self._retry_lock, self._lock_loop = asyncio.Lock(), loop
        return self._retry_lock

    async def _attempt(
        self, args: tuple[bytes, dict[str, str], str], now: datetime, rules: Rules | None
    ) -> ParsedFeed | None:
        """One run in the current executor; None when the executor broke under it."""
        generation = self._generation
        try:
            future = self._pool.submit(self._target, *args, now=now, rules=rules)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            logger.info("parser pool broke while parsing %s; restarting it", args[2])
            self._replace(generation)
            return None

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run another module-level function in the workers (classification uses this).

        A broken executor is replaced and the call tried once more; a second break raises.
        """
        generation = self._generation
        try:
            return await asyncio.wrap_future(self._pool.submit(function, *args))
        except BrokenProcessPool:
            logger.info("worker pool broke running %s; restarting it", function.__name__)
            self._replace(generation)
        return await asyncio.wrap_future(self._pool.submit(function, *args))

    async def warm_up(self) -> list[int]:
        """Start every worker now, so the first cycle does not wait for the imports; pids."""
        return await asyncio.gather(*(self.run(os.getpid) for _ in range(self._workers)))

    def close(self) -> None:
        """Stop the workers; parses still queued are cancelled."""
        self._pool.shutdown(wait=True, cancel_futures=True)
