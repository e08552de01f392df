"""Feed lists: OPML (what other readers import and export) and Marsad's own TOML."""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import FeedListError
from bot.feeds.normalise import declares_entities


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed in a list."""

    url: str
    title: str | None = None
    full_text: bool = False  # complete lede-only items from their article pages
    interval: int | None = None  # seconds between polls instead of POLL_INTERVAL
    first_alerts: int = 0  # how many of the newest items the first poll alerts on


def is_http_url(url: str) -> bool:
    """Whether url is an absolute http(s) URL with a host."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def parse_opml(data: bytes) -> list[FeedSpec]:
    """The feeds of an OPML document (outlines with an xmlUrl), in document order."""
    if declares_entities(data):
        raise FeedListError("OPML files that declare entities are refused")
    try:
        root = ET.fromstring(data)  # noqa: S314 - entities refused above; expat caps expansion
    except ET.ParseError as exc:
        raise FeedListError(f"not a readable OPML file: {exc}") from None
    if root.tag.lower() != "opml":
        raise FeedListError(f"not an OPML file: the root element is <{root.tag}>")
    specs = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            specs.append(FeedSpec(url, outline.get("title") or outline.get("text") or None))
    return specs


def parse_toml(text: str) -> list[FeedSpec]:
    """The feeds of a Marsad TOML list: [[feed]] tables with url and optional name,
    full_text, interval (seconds) and first_alerts."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FeedListError(f"not a readable TOML feed list: {exc}") from None
    specs = []
    for number, table in enumerate(data.get("feed", []), start=1):
        url = table.get("url") if isinstance(table, dict) else None
        if not isinstance(url, str):
            raise FeedListError(f"feed number {number} has no url")
        full_text = table.get("full_text", False)
        if not isinstance(full_text, bool):
            raise FeedListError(f"feed number {number}: full_text must be true or false")
        interval = _whole(table, "interval", number, low=1)
        first_alerts = _whole(table, "first_alerts", number, low=0) or 0
        specs.append(FeedSpec(url.strip(), table.get("name"), full_text, interval, first_alerts))
    return specs


def _whole(table: dict[str, object], key: str, number: int, *, low: int) -> int | None:
    """An optional whole number of a [[feed]] table, at least low."""
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise FeedListError(f"feed number {number}: {key} must be a whole number >= {low}")
    return value


def read_feed_list(path: Path) -> list[FeedSpec]:
    """Read an OPML or TOML feed list, chosen by the file's extension."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedListError(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".toml":
        try:
            return parse_toml(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise FeedListError(f"{path} is not UTF-8 text") from None
    return parse_opml(data)


def to_opml(feeds: Iterable[FeedSpec], title: str = "Marsad feeds") -> str:
    """An OPML 2.0 document listing feeds."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = feed.title or feed.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
