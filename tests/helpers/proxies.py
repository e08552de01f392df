"""Local HTTP (CONNECT and forwarding) and SOCKS5 proxies for tests: pproxy on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pproxy


@dataclass
class LocalProxy:
    """A pproxy server on 127.0.0.1 and the connections it relayed ("socks5 a:p -> b:q")."""

    url: str
    relayed: list[str] = field(default_factory=list)

    def saw(self, url: str) -> bool:
        """Whether the proxy relayed a connection to the host and port of a URL."""
        parts = urlsplit(url)
        target = f"{parts.hostname}:{parts.port}"
        return any(line.endswith(f"-> {target}") for line in self.relayed)


@asynccontextmanager
async def local_proxy(scheme: str) -> AsyncIterator[LocalProxy]:
    """An HTTP (CONNECT and forwarding) or SOCKS5 proxy on a free loopback port."""
    proxy = LocalProxy("")
    listener = await pproxy.Server(f"{scheme}://127.0.0.1:0").start_server(
        {"rserver": [], "verbose": proxy.relayed.append}
    )
    port = listener.sockets[0].getsockname()[1]
    proxy.url = f"{scheme}://127.0.0.1:{port}"
    try:
        yield proxy
    finally:
        listener.close()
        await listener.wait_closed()
