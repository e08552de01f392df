"""Marsad's settings, parsed once from the environment and an optional .env file."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from config import FEEDS_FILE

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/marsad.db"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
# URL schemes as hosting platforms and other tools write them, and the async driver for each.
DRIVER_ALIASES = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}
PROXY_SCHEMES = ("http://", "https://", "socks5://")

Network = IPv4Network | IPv6Network


class Settings(BaseSettings):
    """Every setting Marsad reads; frozen so nothing changes it after start."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    # A secret because a PostgreSQL URL may carry a password.
    database_url: SecretStr = SecretStr(DEFAULT_DATABASE_URL)
    # Seconds to keep retrying the first connection (a database still starting) before exiting.
    database_connect_timeout: float = Field(default=30.0, ge=0)
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    feeds_file: Path | None = FEEDS_FILE
    poll_interval: int = Field(default=300, ge=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Private networks that fetches may reach (intranet feeds, the tests' loopback servers).
    fetch_allow_networks: Annotated[tuple[Network, ...], NoDecode] = ()
    # Optional proxies, each on its own: one for feeds and article pages, one for the Bot API.
    # Secrets because a proxy URL may carry a password.
    feeds_proxy: SecretStr | None = None
    telegram_proxy: SecretStr | None = None
    # A poll listing more new items than this is a catch-up: stored, not alerted one by one.
    feed_new_items_cap: int = Field(default=50, ge=1)
    # Reports of one event join its story for this long after it broke; the threader's
    # memory grows with the articles of the window.
    story_window_hours: int = Field(default=48, ge=1, le=720)

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        """Treat an empty TELEGRAM_BOT_TOKEN like an absent one."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("feeds_file", mode="before")
    @classmethod
    def _empty_feeds_file_is_none(cls, value: object) -> object:
        """An empty FEEDS_FILE means: add no feeds at start."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        """Accept ADMIN_IDS as "1, 2,3"."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("fetch_allow_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        """Accept FETCH_ALLOW_NETWORKS as "127.0.0.0/8, ::1/128"; set host bits are an error."""
        if isinstance(value, str):
            return tuple(ip_network(part.strip()) for part in value.split(",") if part.strip())
        return value

    @field_validator("feeds_proxy", "telegram_proxy", mode="before")
    @classmethod
    def _check_proxy(cls, value: object) -> object:
        """Empty means no proxy; otherwise an http, https or socks5 URL."""
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not value.strip().lower().startswith(PROXY_SCHEMES):
            raise ValueError("must start with http://, https:// or socks5://")
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_log_format(cls, value: object) -> object:
        """Accept LOG_FORMAT in any case."""
        return value.lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        """Accept log levels in any case."""
        return value.upper() if isinstance(value, str) else value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        """The Bot API is reached over http(s) only."""
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr) -> SecretStr:
        """The two async drivers Marsad supports, also as postgres://, postgresql://, sqlite://."""
        try:
            url = make_url(value.get_secret_value())
        except Exception:  # SQLAlchemy raises several types for a malformed URL
            raise ValueError("is not a database URL") from None
        url = url.set(drivername=DRIVER_ALIASES.get(url.drivername, url.drivername))
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(f"driver must be one of {', '.join(SUPPORTED_DRIVERS)}")
        if url.drivername == "postgresql+asyncpg" and "sslmode" in url.query:
            # libpq's sslmode=require (hosting platforms add it) is asyncpg's ssl=require.
            url = url.difference_update_query(["sslmode"]).update_query_dict(
                {"ssl": url.query["sslmode"]}
            )
        return SecretStr(url.render_as_string(hide_password=False))

    @property
    def database_url_plain(self) -> str:
        """The database URL with its password, for the engine only."""
        return self.database_url.get_secret_value()

    @property
    def database_url_safe(self) -> str:
        """The database URL with its password masked, for logs and messages."""
        return make_url(self.database_url_plain).render_as_string(hide_password=True)


def describe_errors(error: ValidationError) -> str:
    """One readable message listing every invalid setting, with no secret values."""
    lines = ["Invalid settings:"]
    for problem in error.errors(include_input=False, include_url=False):
        name = ".".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"  {name}: {problem['msg']}")
    return "\n".join(lines)
