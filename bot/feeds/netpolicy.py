"""The address policy under every outbound fetch: feeds, article pages, probes and tests.

Feed publishers control the links inside their items, and anyone on the path of an http
feed can rewrite them, so no fetch may reach loopback, private, link-local, CGNAT,
multicast, unspecified or reserved addresses (nor IPv6 forms that embed one of them)
unless the operator allowed that network with FETCH_ALLOW_NETWORKS.

It is enforced in two places of the one shared session, so the address that is checked is
the address that is connected to:

- `PolicyResolver` filters what the connector's DNS lookups return (a name that rebinds
  between a check and the connection cannot slip past: there is no separate check);
- `policy_middleware` checks IP-literal hosts, which aiohttp never hands to a resolver,
  before each request (each redirect hop is a request of its own).

Behind FEEDS_PROXY the proxy resolves names: names are then resolved here only for the
check, and the proxy may resolve them differently (see `policy_middleware`).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_middlewares import ClientHandlerType, ClientMiddlewareType

from bot.errors import AddressRefused

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

MASK = "***"

_CGNAT = IPv4Network("100.64.0.0/10")
_PRIVATE: tuple[Network, ...] = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
    IPv6Network("fc00::/7"),
)
# IPv6 ranges that carry an IPv4 address in their last 32 bits: a name for messages, and how
# people write them (Python 3.11 shows ::ffff:127.0.0.2 as ::ffff:7f00:2).
_EMBEDDING: tuple[tuple[IPv6Network, str, str], ...] = (
    (IPv6Network("::ffff:0:0/96"), "IPv4-mapped", "::ffff:"),
    (IPv6Network("::ffff:0:0:0/96"), "IPv4-translated", "::ffff:0:"),
    (IPv6Network("64:ff9b::/96"), "NAT64", "64:ff9b::"),
    (IPv6Network("::/96"), "IPv4-compatible", "::"),
)
# Local-use NAT64 (RFC 8215) translates to whatever the local network chose: never public.
_LOCAL_NAT64 = IPv6Network("64:ff9b:1::/48")
# The authority part of any URL in a text: scheme://[userinfo@]host[:port]
_AUTHORITY = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^/?#\s<>\"']*)")


def _kind(ip: Address) -> str | None:
    """What kind of non-public address ip is ("a private address"), or None when public."""
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip in _CGNAT:
        return "a CGNAT (shared) address"
    if any(ip in network for network in _PRIVATE):
        return "a private address"
    if isinstance(ip, IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if not ip.is_global or ip in _LOCAL_NAT64:
        return "a reserved address"
    return None


def embedded_ipv4(ip: Address) -> tuple[IPv4Address, str] | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64, ...), with the form's name."""
    if not isinstance(ip, IPv6Address):
        return None
    if (six_to_four := ip.sixtofour) is not None:
        return six_to_four, "6to4"
    for network, form, _ in _EMBEDDING:
        # :: and ::1 are IPv6's own unspecified and loopback addresses, not compatible forms.
        if ip in network and int(ip) > 1:
            return IPv4Address(int(ip) & 0xFFFFFFFF), form
    return None


def shown(ip: Address) -> str:
    """An address as people write it: IPv6 forms embedding IPv4 end in a dotted quad."""
    if isinstance(ip, IPv6Address) and ip.scope_id is None:
        for network, _, prefix in _EMBEDDING:
            if ip in network and int(ip) > 1:
                return f"{prefix}{IPv4Address(int(ip) & 0xFFFFFFFF)}"
    return str(ip)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses fetches may reach: public ones, and those inside `allow`."""

    allow: tuple[Network, ...] = ()  # FETCH_ALLOW_NETWORKS

    def allowed(self, ip: Address) -> bool:
        """Whether ip, or the IPv4 address it embeds, is inside an allowed network."""
        inner = embedded_ipv4(ip)
        candidates = (ip, inner[0]) if inner else (ip,)
        return any(address in network for address in candidates for network in self.allow)

    def kind(self, ip: Address) -> str | None:
        """Why ip is refused ("a private address"), or None when it may be reached."""
        if self.allowed(ip):
            return None
        inner = embedded_ipv4(ip)
        if inner is not None and (inner_kind := _kind(inner[0])) is not None:
            return f"{inner_kind} ({inner[1]} {inner[0]})"
        return _kind(ip)

    def reason(self, ip: Address) -> str | None:
        """Why ip is refused ("10.0.0.5 is a private address"), or None when it may be reached."""
        kind = self.kind(ip)
        return None if kind is None else f"{shown(ip)} is {kind}"

    def check(self, ip: Address) -> None:
        """Raise AddressRefused, with its one-line refusal, when ip may not be reached."""
        if (reason := self.reason(ip)) is not None:
            raise AddressRefused(f"refused: {reason}")


# Public addresses only: the policy when FETCH_ALLOW_NETWORKS is empty.
PUBLIC_ONLY = AddressPolicy()


def ip_literal(host: str) -> Address | None:
    """The address an IP-literal host names; None for a name. Legacy numeric forms are refused.

    "2130706433", "127.1" or "0177.0.0.1" are addresses to socket calls and to a proxy, but
    read as names by people: only the plain dotted quad and IPv6 are accepted.
    """
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if ":" in bare or bare.replace(".", "").isdigit():
        raise AddressRefused(f"refused: {host} is not a plain IP address")
    return None


def _address(result: ResolveResult) -> Address:
    """The address of one resolver result (an IPv6 one may carry a %scope)."""
    return ipaddress.ip_address(result["host"])


class PolicyResolver(AbstractResolver):
    """The default resolver, returning only the addresses the policy allows.

    The connector connects to what this returns, so what is checked is what is reached.
    `trusted` names (the operator's FEEDS_PROXY host) are resolved without the policy.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        trusted: Iterable[str] = (),
        inner: AbstractResolver | None = None,
    ) -> None:
        """Wrap `inner` (aiohttp's default resolver when not given)."""
        self.policy = policy
        self.trusted = frozenset(name.lower() for name in trusted)
        self.inner = inner or aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The allowed addresses of host; AddressRefused when every one is refused."""
        results = await self.inner.resolve(host, port, family)
        if host.lower() in self.trusted:
            return results
        allowed = [r for r in results if self.policy.kind(_address(r)) is None]
        if allowed:
            return allowed
        raise AddressRefused(self._refusal(host, results))

    async def check_name(self, host: str) -> None:
        """For a proxy's sake: refuse host when any address it resolves to here is refused.

        The proxy resolves the name again and may pick any of its addresses, so one refused
        address is enough. A name that does not resolve here is left to the proxy: proxies
        are used where local DNS cannot see the sites.
        """
        try:
            results = await self.inner.resolve(host, 0, socket.AF_UNSPEC)
        except OSError:
            return
        if any(self.policy.kind(_address(r)) is not None for r in results):
            raise AddressRefused(self._refusal(host, results))

    def _refusal(self, host: str, results: list[ResolveResult]) -> str:
        """One line naming the first refused address a name resolved to."""
        for result in results:
            ip = _address(result)
            if (kind := self.policy.kind(ip)) is not None:
                return f"refused: {host} resolves to {shown(ip)}, {kind}"
        return f"refused: {host} resolves to no address"

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self.inner.close()


def policy_middleware(resolver: PolicyResolver, *, proxied: bool) -> ClientMiddlewareType:
    """A session middleware checking every request's host before anything connects.

    Without a proxy, IP literals are checked here and names by the connector's resolver.
    Behind a proxy the proxy resolves names, so they are resolved here for the check only:
    a name whose DNS answers differ between this host and the proxy (or change in between)
    is a limitation of proxied fetching that README states.
    """

    async def check(
        request: aiohttp.ClientRequest, handler: ClientHandlerType
    ) -> aiohttp.ClientResponse:
        host = request.url.raw_host or ""
        if (ip := ip_literal(host)) is not None:
            resolver.policy.check(ip)
        elif proxied:
            await resolver.check_name(host)
        return await handler(request)

    return check


def has_credentials(url: str) -> bool:
    """Whether a URL carries a user name or password (user:password@host)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return "@" in parts.netloc


def _mask_authority(match: re.Match[str]) -> str:
    """One URL's scheme and authority with its password (or lone user name) masked."""
    scheme, authority = match.group(1), match.group(2)
    userinfo, at, host = authority.rpartition("@")
    if not at:
        return match.group(0)
    user, colon, _password = userinfo.partition(":")
    # A lone user name is often a token: mask it whole.
    return f"{scheme}{user}:{MASK}@{host}" if colon else f"{scheme}{MASK}@{host}"


def mask_credentials(text: str) -> str:
    """Text with every URL's password masked: https://user:***@host/... for logs and replies."""
    return _AUTHORITY.sub(_mask_authority, text) if "@" in text else text
