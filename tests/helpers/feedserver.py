"""A local feed server for tests: real aiohttp on 127.0.0.1, a random port, scripted answers.

    async with FeedServer() as server:
        server.static("/feed.xml", body, etag='"v1"')
        result = await fetch_feed(session, server.url("/feed.xml"))
        assert server.hits["/feed.xml"] == 1

Routes can be registered before or after start; every answer counts a hit per path and keeps
the request headers, so tests can check what the client sent (If-None-Match, User-Agent).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import zlib
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from ipaddress import ip_network
from types import TracebackType

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from bot.feeds.netpolicy import AddressPolicy

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_MB = 1024 * 1024

# The one place the suite allows fetches to its loopback servers (FETCH_ALLOW_NETWORKS):
# tests/conftest.py puts it in the environment, subprocesses get it from clean_environment.
TEST_ALLOW_NETWORKS = "127.0.0.0/8,::1/128"
LOOPBACK_ALLOWED = AddressPolicy(tuple(ip_network(n) for n in TEST_ALLOW_NETWORKS.split(",")))


@cache
def gzip_bomb_bytes(size: int) -> bytes:
    """gzip of `size` zero bytes (1 GiB compresses to about 1 MB), built once per size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    block = bytes(_MB)
    parts = [compressor.compress(block) for _ in range(size // _MB)]
    parts.append(compressor.compress(bytes(size % _MB)))
    parts.append(compressor.flush())
    return b"".join(parts)


class FeedServer:
    """aiohttp.web server whose answers tests script per path."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.hits: Counter[str] = Counter()
        self.requests: defaultdict[str, list[CIMultiDictProxy[str]]] = defaultdict(list)
        self._routes: dict[str, Handler] = {}
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Listen on a free port of the loopback interface."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # handler_cancellation: a client that gives up cancels the slow or endless handler.
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Wake every slow handler and stop listening."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, path: str) -> str:
        """Absolute http URL of a path on this server."""
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        """Count the hit, keep the headers, answer with the registered handler or 404."""
        path = request.path
        self.hits[path] += 1
        self.requests[path].append(request.headers)
        handler = self._routes.get(path)
        if handler is None:
            return web.Response(status=404, text="no such feed")
        return await handler(request)

    def route(self, path: str, handler: Handler) -> None:
        """Answer `path` with any aiohttp handler."""
        self._routes[path] = handler

    def static(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        content_type: str | None = "application/rss+xml; charset=utf-8",
        compress: str | None = None,
    ) -> None:
        """A fixed answer; with etag/last_modified it honours conditional GET with a 304."""
        base_headers: CIMultiDict[str] = CIMultiDict()
        if content_type is not None:
            base_headers["Content-Type"] = content_type
        if etag is not None:
            base_headers["ETag"] = etag
        if last_modified is not None:
            base_headers["Last-Modified"] = last_modified
        base_headers.update(headers or {})
        payload = _compress(body, compress)
        if compress is not None:
            base_headers["Content-Encoding"] = compress

        async def handler(request: web.Request) -> web.StreamResponse:
            match_etag = etag is not None and request.headers.get("If-None-Match") == etag
            match_date = (
                last_modified is not None
                and request.headers.get("If-Modified-Since") == last_modified
            )
            if match_etag or (match_date and "If-None-Match" not in request.headers):
                return web.Response(status=304, headers=_validators(base_headers))
            return web.Response(status=status, body=payload, headers=base_headers)

        self.route(path, handler)

    def redirect(self, path: str, location: str, *, status: int = 301) -> None:
        """Redirect `path` to `location` (a path on this server or an absolute URL)."""
        target = location if "://" in location or location.startswith("/") else "/" + location

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": target})

        self.route(path, handler)

    def slow(self, path: str, delay: float, body: bytes = b"<rss/>") -> None:
        """Answer only after `delay` seconds (or when the server closes)."""

        async def handler(request: web.Request) -> web.StreamResponse:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delay)
            return web.Response(body=body, content_type="application/rss+xml")

        self.route(path, handler)

    def endless(
        self, path: str, chunk: bytes = b"<rss><channel>" + b"<item>x</item>" * 4096
    ) -> None:
        """A chunked body that never ends, until the client hangs up."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            await response.prepare(request)
            while not self._closing.is_set():
                try:
                    await response.write(chunk)
                except (ConnectionError, RuntimeError):
                    break
            return response

        self.route(path, handler)

    def big(self, path: str, size: int, *, declare_length: bool = True) -> None:
        """A body of `size` bytes, streamed so the server never holds it; chunked if undeclared."""
        block = b"<!-- padding -->" * (_MB // 16)

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            if declare_length:
                response.content_length = size
            await response.prepare(request)
            sent = 0
            try:
                while sent < size:
                    piece = block[: size - sent]
                    await response.write(piece)
                    sent += len(piece)
            except (ConnectionError, RuntimeError):
                pass
            return response

        self.route(path, handler)

    def gzip_bomb(self, path: str, size: int = 1024 * _MB) -> None:
        """A small gzip body that inflates to `size` zero bytes."""
        payload = gzip_bomb_bytes(size)

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(
                body=payload,
                headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
            )

        self.route(path, handler)


def _validators(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers a 304 repeats."""
    return {k: v for k, v in headers.items() if k.lower() in {"etag", "last-modified"}}


def _compress(body: bytes, encoding: str | None) -> bytes:
    """Body encoded as Content-Encoding `encoding` says."""
    if encoding is None:
        return body
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "br":
        import brotli  # type: ignore[import-untyped]

        return bytes(brotli.compress(body))
    raise ValueError(f"unknown encoding {encoding!r}")
