"""feedparser's own 2,248 test feeds, served over loopback with their headers, fetched and parsed.

Every file must come back as a value (fetched, parsed, or refused with a reason) within the
timeouts; none may raise. The encoding files' expected feed titles are checked too, which
covers the Arabic code pages through the whole fetch -> parse path.
"""

from __future__ import annotations

import ast
import asyncio
import codecs
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.feeds.fetch import FetchLimits, fetch_feed, make_session
from bot.feeds.parse import ParserPool
from bot.models import FetchResult, FetchStatus, ParsedFeed
from tests.feeds.conftest import NOW
from tests.helpers.feedserver import LOOPBACK_ALLOWED, FeedServer

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "feedparser-corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared feedparser corpus absent")

_HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
_SKIP_CHARDET = re.compile(rb"^SkipUnless:.*chardet", re.MULTILINE)
_SKIP_CODEC = re.compile(rb"^SkipUnless:.*lookup\('([\w-]+)'\)", re.MULTILINE)
_TITLE_EXPECT = re.compile(r"^Expect:\s*not bozo and feed\['title'\] == (.+?)\s*$", re.MULTILINE)
_ORIGIN = "http://localhost:8097/tests/"
_ENCODINGS = {".gz": "gzip", ".z": "deflate"}


def _has_codec(name: bytes) -> bool:
    """Whether Python knows an encoding (the corpus skips files whose codec is missing)."""
    try:
        codecs.lookup(name.decode())
    except LookupError:
        return False
    return True


EXPECTED_REFUSALS = {
    "/compression/deflate-not-compressed.z",
    "/compression/gzip-not-compressed.gz",
    "/compression/gzip-struct-error.gz",
    "/http/http_status_302-no-location.xml",
    "/http/http_status_404.xml",
    "/illformed/rss_empty_document.xml",
    "/wellformed/cdf/channel_abstract_map_description.xml",
    "/wellformed/cdf/channel_abstract_map_tagline.xml",
    "/wellformed/cdf/channel_href_map_link.xml",
    "/wellformed/cdf/channel_href_map_links.xml",
    "/wellformed/cdf/channel_lastmod.xml",
    "/wellformed/cdf/channel_lastmod_parsed.xml",
    "/wellformed/cdf/channel_title.xml",
    "/wellformed/rdf/doctype_contains_entity_decl.xml",
    "/wellformed/rss/entity_in_doctype.xml",
}


@dataclass(frozen=True)
class CorpusFile:
    """One corpus file and how the test server answers for it."""

    path: str  # URL path, e.g. "/encoding/x80_cp1256.xml"
    body: bytes
    status: int
    headers: dict[str, str]


def load(root: Path) -> list[CorpusFile]:
    """Every feed file with the status and headers its comment asks for."""
    files = []
    for file in sorted(root.rglob("*")):
        if not file.is_file() or file.name == "README.md":
            continue
        body = file.read_bytes()
        headers: dict[str, str] = {}
        status = 200
        for name, value in _HEADER.findall(body[:2048]):
            key, text = name.decode(), value.decode("latin-1")
            if key.lower() == "status":
                status = int(text)
            elif key.lower() == "location":
                headers["Location"] = text.replace(_ORIGIN, "/").replace(
                    "http://localhost:8097", ""
                )
            else:
                headers[key] = text
        if file.suffix in _ENCODINGS:
            headers["Content-Encoding"] = _ENCODINGS[file.suffix]
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/xml"  # what a web server says for .xml
        path = "/" + file.relative_to(root).as_posix()
        files.append(CorpusFile(path=path, body=body, status=status, headers=headers))
    return files


def serve(server: FeedServer, file: CorpusFile) -> None:
    """Register one corpus file on the server as the file's comment says."""

    async def handler(request: web.Request) -> web.StreamResponse:
        etag = file.headers.get("ETag")
        if etag is not None and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(status=file.status, body=file.body, headers=file.headers)

    server.route(file.path, handler)


@pytest.fixture(scope="module")
def corpus() -> list[CorpusFile]:
    """The corpus files, loaded once."""
    return load(CORPUS.resolve())


async def fetch_and_parse(
    files: list[CorpusFile], server: FeedServer, limits: FetchLimits
) -> dict[str, tuple[FetchResult, ParsedFeed | None]]:
    """One cycle over all files: bounded concurrent fetches, parses in two worker processes."""
    gate = asyncio.Semaphore(32)
    pool = ParserPool(2)

    async def one(
        session: aiohttp.ClientSession, file: CorpusFile
    ) -> tuple[FetchResult, ParsedFeed | None]:
        async with gate:
            fetched = await fetch_feed(session, server.url(file.path), limits=limits)
        if fetched.status is not FetchStatus.OK:
            return fetched, None
        return fetched, await pool.parse(fetched.body, fetched.headers, fetched.url, now=NOW)

    try:
        async with make_session(limits, LOOPBACK_ALLOWED) as session:
            results = await asyncio.gather(*(one(session, f) for f in files))
    finally:
        pool.close()
    return {f.path: r for f, r in zip(files, results, strict=True)}


async def test_whole_corpus_finishes_cleanly(corpus: list[CorpusFile]) -> None:
    assert len(corpus) == 2248
    limits = FetchLimits(connect_timeout=5.0, total_timeout=10.0)
    async with FeedServer() as server:
        for file in corpus:
            serve(server, file)

        async def return_304(request: web.Request) -> web.StreamResponse:
            return web.Response(status=304)

        server.route("/-/return-304.xml", return_304)
        results = await asyncio.wait_for(fetch_and_parse(corpus, server, limits), 120)

    refused: dict[str, str] = {}
    for path, (fetched, parsed) in results.items():
        assert fetched.status is FetchStatus.NOT_MODIFIED or fetched.error or parsed, path
        error = fetched.error or (parsed.error if parsed else None)
        if error:
            assert "\n" not in error, path
            refused[path] = error
    # Everything else is fetched and parsed. These are refused, each with its reason: bodies
    # labelled gzip/deflate that are not (aiohttp cannot decode them), HTTP errors, an empty
    # document, CDF channels without items (no feed root feedparser names), declared entities.
    assert set(refused) == EXPECTED_REFUSALS, refused
    assert refused["/wellformed/rss/entity_in_doctype.xml"] == (
        "refused: the body declares XML entities"
    )
    assert refused["/http/http_status_404.xml"] == "HTTP 404 Not Found"
    assert results["/http/http_status_301.xml"][0].permanent_url == server.url("/http/target.xml")
    assert results["/http/http_status_302.xml"][0].permanent_url is None
    assert results["/http/http_redirect_to_304.xml"][0].status is FetchStatus.NOT_MODIFIED
    assert results["/compression/gzip.gz"][1] is not None
    gz_error = results["/compression/gzip-struct-error.gz"][0].error or ""
    assert gz_error.startswith("broken response body")


async def test_encoding_files_give_the_expected_titles(corpus: list[CorpusFile]) -> None:
    has_chardet = importlib.util.find_spec("chardet") is not None
    cases = []
    for file in corpus:
        match = _TITLE_EXPECT.search(file.body[:2048].decode("latin-1"))
        if not file.path.startswith("/encoding/") or match is None:
            continue
        if _SKIP_CHARDET.search(file.body[:2048]) and not has_chardet:
            continue
        if (codec := _SKIP_CODEC.search(file.body[:2048])) and not _has_codec(codec.group(1)):
            continue
        expected = ast.literal_eval(match.group(1).encode("latin-1").decode("utf-8"))
        cases.append((file, " ".join(expected.split())))
    assert len(cases) >= 90
    async with FeedServer() as server:
        for file, _expected in cases:
            serve(server, file)
        results = await fetch_and_parse([f for f, _ in cases], server, FetchLimits())
    wrong = {
        file.path: (parsed.title if parsed else fetched.error, expected)
        for file, expected in cases
        for fetched, parsed in [results[file.path]]
        if parsed is None or parsed.title != expected or parsed.warning
    }
    assert not wrong
    assert results["/encoding/x80_windows-1256.xml"][1] is not None
