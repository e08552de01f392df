"""How Marsad reaches the Bot API: PTB's HTTP clients and the proxy they go through."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import httpx
from pydantic import SecretStr
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

# Proxy variables httpx would read; Marsad uses TELEGRAM_PROXY (and FEEDS_PROXY) instead.
PROXY_VARIABLES = frozenset({"ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY"})


def telegram_request(proxy: SecretStr | None, *, pool: int) -> HTTPXRequest:
    """One of PTB's HTTP clients (API calls or long polling), through TELEGRAM_PROXY if set.

    trust_env=False: httpx would otherwise take ALL_PROXY or HTTPS_PROXY from the environment
    (and, for a socks5 one without socksio installed, fail at start with an ImportError).
    """
    return HTTPXRequest(
        connection_pool_size=pool,  # PTB's defaults: 256 for calls, 1 for getUpdates
        proxy=proxy.get_secret_value() if proxy else None,
        httpx_kwargs={"trust_env": False},
    )


def log_telegram_route(proxy: SecretStr | None, environ: Mapping[str, str]) -> None:
    """Say how the Bot API is reached; name (never show) environment proxies left unused."""
    if proxy is not None:
        address = httpx.URL(proxy.get_secret_value()).copy_with(userinfo=b"")
        log.info("Telegram through the proxy %s", address)
    ignored = sorted(
        name for name, value in environ.items() if name.upper() in PROXY_VARIABLES and value
    )
    if ignored:
        log.warning(
            "%s ignored for Telegram: set TELEGRAM_PROXY to reach it through a proxy",
            ", ".join(ignored),
        )
