"""Marsad's exceptions: every class, what raises it, who catches it.

    MarsadError                   never raised itself; `python -m bot` turns any that reaches
    │                             it into one log line and the class's exit code
    ├── ConfigError               settings that cannot be used (__main__.load_settings);
    │   │                         caught by __main__.main: the errors on stderr, exit 2
    │   └── TokenRefused          the Bot API answered 401 to TELEGRAM_BOT_TOKEN (app.py,
    │                             starting Telegram); ends the run through main, exit 3
    ├── DatabaseUnreachable       no connection within DATABASE_CONNECT_TIMEOUT, or a SQLite
    │                             directory that cannot be used (bot/storage); main, exit 4
    ├── NotMigrated               a one-shot command found no schema or an older one
    │                             (__main__.with_store); main, exit 5
    ├── FeedListError             an OPML or TOML feed list that cannot be read
    │                             (feeds/feedlist.py); caught where a list is read: the
    │                             FEEDS_FILE import logs it, `feeds import` prints it,
    │                             /importfeeds answers it
    ├── AddressRefused            a fetch the address policy forbids (feeds/netpolicy.py,
    │                             inside aiohttp's resolver and middleware); also an
    │                             aiohttp.ClientConnectionError, so aiohttp lets it through
    │                             as a connection failure; fetch_feed turns it into an
    │                             ERROR FetchResult
    ├── TopicEditError            an admin's topic edit that cannot be made
    │                             (services/topics.py); handlers/admin_topics.py answers it
    ├── SearchError               a /search text that cannot run (services/search.py);
    │                             handlers/search.py answers with the text its key names
    └── PageUnavailable           /testfilter's article page could not be fetched
                                  (services/pages.py); handlers/admin_topics.py answers it

Private, never leaving the module that raises them (each unwinds a deep walk to the one
function that turns it into a value, where threading a return value through every helper
would hide the walk's logic):

    _FetchError (feeds/fetch.py)  an expected fetch failure found in a helper of the redirect
                                  loop; fetch_feed turns it into an ERROR FetchResult
    _Unsure (feeds/fastparse.py)  something the fast RSS path may read differently from
                                  feedparser; fast_parse returns None and feedparser parses

Expected failures of feeds and sends are values, not exceptions: `FetchResult`,
`ParsedFeed`, and the send queue's outcomes (bot/delivery/send.py). Storage errors are
SQLAlchemy's and the drivers' (bot/storage/protocols.py says which and who catches them).
Input that breaks a pure rule (a topic definition, a setting) raises ValueError with the
reason, as pydantic and the topic rules expect.
"""

from __future__ import annotations

import aiohttp

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


class AddressRefused(MarsadError, aiohttp.ClientConnectionError):
    """A fetch the address policy forbids; its text is the one-line refusal."""


class TopicEditError(MarsadError):
    """An edit that cannot be made; the message says why, for the admin."""


class SearchError(MarsadError):
    """A /search text that cannot run: `key` names the reply text, `value` fills it in."""

    def __init__(self, key: str, value: str = "") -> None:
        """Keep the reply's text key and the part of the query it quotes."""
        super().__init__(key, value)
        self.key = key
        self.value = value


class PageUnavailable(MarsadError):
    """An article page that could not be fetched; the message is the fetch's one-line error."""
