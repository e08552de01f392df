"""The exit codes of `python -m bot`, in one place (README lists them for operators)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Why Marsad exited; a supervisor may restart on some and not on others."""

    OK = 0  # done, or stopped by Ctrl-C / SIGTERM
    FAILURE = 1  # a command failed (unhealthy, no such feed) or an unexpected error
    CONFIG = 2  # an invalid setting or command line: restarting will not help
    TOKEN_REFUSED = 3  # the Bot API refused TELEGRAM_BOT_TOKEN: restarting will not help
    DATABASE_UNREACHABLE = 4  # the database did not answer in DATABASE_CONNECT_TIMEOUT
    NOT_MIGRATED = 5  # the database has no schema, or an older one: run `migrate`
