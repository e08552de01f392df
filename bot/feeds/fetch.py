"""One HTTP fetch of a feed: conditional GET, manual redirects, timeouts and a streamed byte cap.

Every expected failure (DNS, refused, timeout, too big, HTTP errors, bad scheme, redirect
loops, addresses the policy refuses) comes back as `FetchResult(status=ERROR, error=...)`;
nothing here raises for them. The session enforces the address policy (`netpolicy`) on
every hop; this module refuses what only it can judge: credentials in URLs.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp_socks import ProxyConnector
from multidict import CIMultiDictProxy

from bot.errors import AddressRefused
from bot.feeds.netpolicy import (
    PUBLIC_ONLY,
    AddressPolicy,
    PolicyResolver,
    has_credentials,
    mask_credentials,
    policy_middleware,
)
from bot.feeds.normalise import one_line
from bot.models import FetchResult, FetchStatus

logger = logging.getLogger(__name__)

USER_AGENT = "Marsad/0.1 (+news monitor)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_SCHEMES = frozenset({"http", "https"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_RETRY_STATUSES = frozenset({429, 503})
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_CHUNK = 64 * 1024
_STATUS_PREFIX = re.compile(r"^\d{3}, message: ")
# What aiohttp would read with trust_env=True; the feeds session never does (FEEDS_PROXY instead).
ENVIRONMENT_PROXIES = frozenset({"ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY"})


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Timeouts, caps and connection limits for fetching feeds."""

    connect_timeout: float = 10.0  # seconds to open a socket
    total_timeout: float = 30.0  # seconds for the whole fetch, redirects and body included
    max_body: int = 10 * 1024 * 1024  # decompressed bytes
    max_redirects: int = 5
    max_connections: int = 100  # whole session
    max_per_host: int = 4  # politeness towards one publisher
    user_agent: str = USER_AGENT


class _FetchError(Exception):
    """An expected failure, carried to the one place that turns it into a value."""


class _Deadline:
    """A fetch's total timeout, paused while the request queues for a pooled connection.

    Waiting behind other feeds of the same host (the per-host limit) is politeness, not the
    server's slowness, so it must not use up this feed's time.
    """

    def __init__(self, timeout: asyncio.Timeout) -> None:
        self._timeout = timeout
        self._remaining: float | None = None

    def pause(self) -> None:
        """Stop the clock."""
        when = self._timeout.when()
        if when is not None and self._remaining is None:
            self._remaining = when - asyncio.get_running_loop().time()
            self._timeout.reschedule(None)

    def resume(self) -> None:
        """Restart the clock with the time that was left."""
        if self._remaining is not None:
            self._timeout.reschedule(asyncio.get_running_loop().time() + self._remaining)
            self._remaining = None


async def _on_queued_start(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceConnectionQueuedStartParams,
) -> None:
    """Pause the fetch's deadline while it waits for a connection slot."""
    if isinstance(context.trace_request_ctx, _Deadline):
        context.trace_request_ctx.pause()


async def _on_queued_end(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceConnectionQueuedEndParams,
) -> None:
    """Resume the fetch's deadline once it has a connection slot."""
    if isinstance(context.trace_request_ctx, _Deadline):
        context.trace_request_ctx.resume()


def make_session(
    limits: FetchLimits,
    policy: AddressPolicy = PUBLIC_ONLY,
    proxy: str | None = None,
) -> aiohttp.ClientSession:
    """The one shared session: limits, User-Agent, no cookies, the address policy on every request.

    `proxy` (FEEDS_PROXY) is an http, https or socks5 URL. Proxy variables of the environment
    (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY) are never used: trust_env=False.
    """
    trusted = [host] if proxy and (host := urlsplit(proxy).hostname) else []
    # The proxy is the operator's own choice: its address is not the policy's business.
    resolver = PolicyResolver(policy, trusted=trusted)
    socks = proxy is not None and proxy.lower().startswith("socks5://")
    connector: aiohttp.TCPConnector
    if proxy and socks:
        # rdns: the SOCKS5 proxy resolves names, as an HTTP proxy does.
        connector = ProxyConnector.from_url(
            proxy, rdns=True, limit=limits.max_connections, limit_per_host=limits.max_per_host
        )
    else:
        connector = aiohttp.TCPConnector(
            resolver=resolver,
            ttl_dns_cache=300,
            limit=limits.max_connections,
            limit_per_host=limits.max_per_host,
        )
    queueing = aiohttp.TraceConfig()
    queueing.on_connection_queued_start.append(_on_queued_start)
    queueing.on_connection_queued_end.append(_on_queued_end)
    return aiohttp.ClientSession(
        trace_configs=[queueing],
        connector=connector,
        middlewares=[policy_middleware(resolver, proxied=proxy is not None)],
        proxy=None if socks else proxy,  # http(s) proxies; socks5 is the connector's
        trust_env=False,
        headers={"User-Agent": limits.user_agent, "Accept": _ACCEPT},
        timeout=_client_timeout(limits),
        auto_decompress=True,  # gzip, deflate, and br since the brotli package is installed
        # One publisher's cookies must not follow us to another feed, nor change what we get.
        cookie_jar=aiohttp.DummyCookieJar(),
        raise_for_status=False,
    )


def log_feeds_route(proxy: str | None, environ: Mapping[str, str]) -> None:
    """Say how feeds are reached; name (never show) environment proxies left unused."""
    if proxy is not None:
        logger.info("feeds and article pages through the proxy %s", mask_credentials(proxy))
    ignored = sorted(
        name for name, value in environ.items() if name.upper() in ENVIRONMENT_PROXIES and value
    )
    if ignored:
        logger.warning(
            "%s ignored for feeds: set FEEDS_PROXY to fetch feeds through a proxy",
            ", ".join(ignored),
        )


def _client_timeout(limits: FetchLimits) -> aiohttp.ClientTimeout:
    """Socket-level timeouts; the total is enforced around the whole fetch instead."""
    return aiohttp.ClientTimeout(
        total=None,
        connect=None,  # includes waiting for a pooled connection, which is not the server's fault
        sock_connect=limits.connect_timeout,
        sock_read=limits.total_timeout,
    )


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def parse_max_age(headers: dict[str, str], now: datetime) -> float | None:
    """Freshness lifetime in seconds: Cache-Control max-age, else Expires minus Date (or now)."""
    if match := _MAX_AGE.search(headers.get("cache-control", "")):
        return float(match.group(1))
    expires = headers.get("expires")
    if not expires:
        return None
    try:
        when = parsedate_to_datetime(expires)
        date = parsedate_to_datetime(headers["date"]) if "date" in headers else now
    except (TypeError, ValueError, IndexError):
        return 0.0  # RFC 9111: an invalid Expires means "already expired"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    return max(0.0, (when - date).total_seconds())


def _check_scheme(url: str) -> None:
    """Refuse anything but http(s) URLs with a host."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise _FetchError(f"invalid URL {url!r}: {exc}") from exc
    if parts.scheme.lower() not in _SCHEMES:
        shown = parts.scheme or "none"
        raise _FetchError(f"unsupported URL scheme {shown!r} (only http and https): {url[:200]}")
    if not parts.hostname:
        raise _FetchError(f"URL has no host: {url[:200]}")


def _flat_headers(headers: CIMultiDictProxy[str]) -> dict[str, str]:
    """Response headers with lower-case names; repeated headers joined with commas."""
    flat: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        flat[key] = f"{flat[key]}, {value}" if key in flat else value
    return flat


def _megabytes(size: int) -> str:
    """A byte count as readable megabytes."""
    return f"{size / (1024 * 1024):g} MB"


async def _read_capped(response: aiohttp.ClientResponse, cap: int) -> bytes:
    """Read the decompressed body, giving up as soon as it exceeds the cap."""
    declared = response.content_length
    if declared is not None and declared > cap:
        raise _FetchError(f"body too large: Content-Length {declared} exceeds {_megabytes(cap)}")
    body = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > cap:
            # aiohttp's read() has no cap: an endless body or a gzip bomb would fill memory.
            raise _FetchError(f"body too large: more than {_megabytes(cap)}, cut off")
    return bytes(body)


def _http_error(status: int, reason: str | None, retry_after: float | None) -> str:
    """One readable line for an HTTP error status."""
    line = f"HTTP {status} {reason or ''}".rstrip()
    if retry_after is not None:
        line += f" (retry after {retry_after:g} s)"
    return line


def _check_credentials(url: str, *, hop: int, admin_typed: bool) -> None:
    """Refuse user:password@ in a URL, but in the feed address an admin typed."""
    if not has_credentials(url):
        return
    if hop:
        raise _FetchError("refused: a redirect to an address with a user name or password")
    if not admin_typed:
        raise _FetchError("refused: a link with a user name or password (only feeds may have one)")


async def _fetch(
    session: aiohttp.ClientSession,
    url: str,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
    deadline: _Deadline,
    admin_typed: bool,
) -> FetchResult:
    """Follow redirects by hand so permanent moves, loops, bad schemes and credentials are seen.

    The session's policy checks each hop's address before it connects, so a redirect to a
    refused address fails the whole fetch: its permanent move is never recorded.
    """
    conditional: dict[str, str] = {}
    if etag:
        conditional["If-None-Match"] = etag
    if last_modified:
        conditional["If-Modified-Since"] = last_modified
    timeout = _client_timeout(limits)
    seen = {url}
    permanent_url: str | None = None
    still_permanent = True  # only an unbroken chain of 301/308 from the start moves the feed
    current = url
    for hop in range(limits.max_redirects + 1):
        _check_scheme(current)
        _check_credentials(current, hop=hop, admin_typed=admin_typed)
        async with session.get(
            current,
            headers=conditional,
            allow_redirects=False,
            timeout=timeout,
            trace_request_ctx=deadline,
        ) as response:
            status = response.status
            if status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise _FetchError(f"HTTP {status} redirect without a Location header")
                target = urljoin(current, location.strip())
                if target in seen:
                    raise _FetchError(f"redirect loop: {current} -> {target}")
                seen.add(target)
                if status in _PERMANENT and still_permanent:
                    permanent_url = target
                else:
                    still_permanent = False
                current = target
                continue
            return await _final(response, current, permanent_url, etag, last_modified, limits)
    raise _FetchError(f"too many redirects (more than {limits.max_redirects})")


async def _final(
    response: aiohttp.ClientResponse,
    url: str,
    permanent_url: str | None,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
) -> FetchResult:
    """Turn the last response of the chain into a FetchResult."""
    now = datetime.now(UTC)
    headers = _flat_headers(response.headers)
    status = response.status
    # A 304 may omit the validators; echo the ones we sent so storing them loses nothing.
    new_etag = headers.get("etag", etag)
    new_modified = headers.get("last-modified", last_modified)
    if status == 304:
        return FetchResult(
            status=FetchStatus.NOT_MODIFIED,
            etag=new_etag,
            last_modified=new_modified,
            permanent_url=permanent_url,
            max_age=parse_max_age(headers, now),
            url=url,
            headers=headers,
            http_status=status,
        )
    if not 200 <= status < 300:
        retry_after = None
        if status in _RETRY_STATUSES:
            retry_after = parse_retry_after(headers.get("retry-after"), now)
        return FetchResult(
            status=FetchStatus.ERROR,
            retry_after=retry_after,
            error=_http_error(status, response.reason, retry_after),
            url=url,
            headers=headers,
            http_status=status,
        )
    body = await _read_capped(response, limits.max_body)
    return FetchResult(
        status=FetchStatus.OK,
        body=body,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        permanent_url=permanent_url,
        max_age=parse_max_age(headers, now),
        url=url,
        headers=headers,
        http_status=status,
    )


def _describe(exc: BaseException, limits: FetchLimits) -> str:
    """One readable line for a network failure."""
    if isinstance(exc, AddressRefused):
        return str(exc)  # the policy's own line: never connected, so nothing about ports
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"DNS lookup failed for {exc.host}"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return f"connection timed out after {limits.connect_timeout:g} s"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port}: {exc.strerror or exc.os_error}"
    if isinstance(exc, aiohttp.ClientPayloadError):
        # aiohttp words these as "400, message:\n  Can not decode ..."; keep the message.
        return "broken response body: " + _STATUS_PREFIX.sub("", one_line(exc))
    if isinstance(exc, TimeoutError):
        return f"timed out after {limits.total_timeout:g} s"
    return f"{type(exc).__name__}: {one_line(exc) or 'no details'}"


async def fetch_feed(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),  # frozen, so one shared default is safe
    admin_typed: bool = False,
) -> FetchResult:
    """Fetch one feed or page; expected failures come back as a FetchResult with status ERROR.

    admin_typed: the URL is a feed address an admin gave (a command, a feeds file, OPML),
    so its user:password@ is used; links found in feeds may carry none.
    """
    try:
        async with asyncio.timeout(limits.total_timeout) as timeout:
            deadline = _Deadline(timeout)
            return await _fetch(session, url, etag, last_modified, limits, deadline, admin_typed)
    except _FetchError as exc:
        error = one_line(exc)
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError, UnicodeError) as exc:
        # ValueError and UnicodeError: yarl refuses some URLs and IDNA host names.
        error = one_line(_describe(exc, limits))
    error = mask_credentials(error)  # it is stored, shown in /feeds and logged
    # The pipeline logs the one line per failure; this is for tracing only.
    logger.debug("fetch failed for %s: %s", mask_credentials(url), error)
    return FetchResult(status=FetchStatus.ERROR, url=url, error=error)
