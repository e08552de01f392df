"""Marsad's exceptions.

    MarsadError
    ├── ConfigError              settings or a feeds file that cannot be used
    │   └── TokenRefused         the Bot API refused TELEGRAM_BOT_TOKEN
    ├── DatabaseUnreachable      the first connection did not succeed in time
    ├── NotMigrated              a command that reads found no (or an older) schema
    ├── FeedListError            an OPML or TOML feed list that cannot be read
    └── DeliveryError            a send that failed and will be retried
        └── PermanentDeliveryError   a send that can never succeed (blocked, chat gone)

Expected feed failures are not exceptions: they are `FetchResult`/`ParsedFeed` values.
Errors that end the process carry the exit code `python -m bot` returns for them, and a
message that is the one line it prints.
"""

from __future__ import annotations

from bot.exitcodes import ExitCode


class MarsadError(Exception):
    """Base of every error Marsad raises on purpose."""

    exit_code = ExitCode.FAILURE


class ConfigError(MarsadError):
    """Settings or data files that cannot be used; the message says why."""

    exit_code = ExitCode.CONFIG


class TokenRefused(ConfigError):
    """The Bot API answered 401 Unauthorized: the token is wrong or was revoked."""

    exit_code = ExitCode.TOKEN_REFUSED

    def __init__(self) -> None:
        """The one line an operator needs; it never contains the token."""
        super().__init__(
            "the Bot API refused TELEGRAM_BOT_TOKEN; check it with @BotFather "
            "or unset it to run in console mode"
        )


class DatabaseUnreachable(MarsadError):
    """The database could not be opened or reached; the message names it, password masked."""

    exit_code = ExitCode.DATABASE_UNREACHABLE


class NotMigrated(MarsadError):
    """The database has no schema or an older one, and this command does not migrate."""

    exit_code = ExitCode.NOT_MIGRATED


class FeedListError(MarsadError):
    """A feed list (OPML or TOML) that cannot be read."""


class DeliveryError(MarsadError):
    """A delivery that failed for now and will be retried."""


class PermanentDeliveryError(DeliveryError):
    """A delivery that can never succeed; it is marked failed with this reason."""
