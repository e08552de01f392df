"""Command line: `python -m bot [run|migrate|health|stats|feeds] ...` (`run` is the default).

Every way out is an exit code of `bot.exitcodes` and, when something went wrong, one log
line through the masking logger: expected failures (a refused token, an unreachable or
unmigrated database) without a traceback, unexpected ones with it, secrets masked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import textwrap
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from bot import __version__, health
from bot.app import Marsad, RunOptions, import_feed_list, utc_now
from bot.errors import ConfigError, FeedListError, MarsadError, NotMigrated
from bot.exitcodes import ExitCode
from bot.feeds.feedlist import FeedSpec, read_feed_list, to_opml
from bot.feeds.netpolicy import mask_credentials
from bot.logsafe import configure_logging, log_loop_exception
from bot.models import FeedOptions
from bot.runtime import limit_malloc_arenas
from bot.storage import Store, missing_sqlite_file
from bot.storage.protocols import FeedStore
from config.settings import Settings, describe_errors

log = logging.getLogger("bot")

EXIT_USAGE = ExitCode.CONFIG
TOP_LEVEL_OPTIONS = ("-h", "--help", "--version")


def settings_help() -> str:
    """The --help epilog: where settings come from, every one's name, the exit codes."""
    names = ", ".join(name.upper() for name in Settings.model_fields)
    codes = ", ".join(f"{code.value} {code.name.lower().replace('_', ' ')}" for code in ExitCode)
    paragraphs = [
        "`python -m bot` alone is `python -m bot run`; `python -m bot --once` is `run --once`.",
        "Settings come from the environment or a .env file in the working directory "
        f"(.env.example explains each one): {names}.",
        f"Exit codes: {codes} (README says what each means).",
    ]
    return "\n\n".join(textwrap.fill(paragraph, width=88) for paragraph in paragraphs)


def build_parser() -> argparse.ArgumentParser:
    """The command line's grammar."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Marsad news monitor",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"Marsad {__version__}")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="poll feeds and deliver alerts (the default)")
    run.add_argument("--once", action="store_true", help="one cycle of every due feed, then exit")
    run.add_argument(
        "--console",
        choices=["text", "jsonl"],
        help="print alerts here instead of sending them to Telegram",
    )
    sub.add_parser("migrate", help="create or upgrade the database schema")
    add_health_parser(sub)
    stats = sub.add_parser("stats", help="counts of feeds, articles and alerts")
    stats.add_argument("--json", action="store_true", help="one JSON object")
    feeds = sub.add_parser("feeds", help="list, import or export feeds")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True)
    feeds_sub.add_parser("list", help="every feed with its state")
    imp = feeds_sub.add_parser("import", help="add the feeds of an OPML or TOML file")
    imp.add_argument("file", type=Path)
    feeds_sub.add_parser("export", help="print every feed as OPML")
    options = feeds_sub.add_parser("set", help="change a feed's own polling options")
    options.add_argument("feed_id", type=int)
    options.add_argument(
        "--interval",
        type=int,
        metavar="SECONDS",
        help="seconds between polls instead of POLL_INTERVAL",
    )
    options.add_argument(
        "--max-interval",
        type=int,
        metavar="SECONDS",
        help="the most that server hints (ttl, max-age) may slow it to",
    )
    options.add_argument(
        "--first-alerts",
        type=int,
        metavar="N",
        help="how many of the newest items a first poll alerts on",
    )
    options.add_argument(
        "--full-text",
        choices=["on", "off"],
        help="complete lede-only items from their article pages",
    )
    return parser


async def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run Marsad until stopped, or for one cycle with --once; Ctrl-C or SIGTERM stop it cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    marsad = Marsad(settings, options=RunOptions(console=args.console))
    if args.once:
        return await run_once(marsad, stop)
    await marsad.run_forever(stop)
    log.info("stopped")
    return ExitCode.OK


async def run_once(marsad: Marsad, stop: asyncio.Event) -> int:
    """One cycle, unless stop comes first: then the cycle is cancelled and Marsad closed."""
    once = asyncio.create_task(marsad.run_once(), name="once")
    stopped = asyncio.create_task(stop.wait(), name="stop")
    await asyncio.wait({once, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    once.cancel()  # a no-op once it is done; run_once closes Marsad either way
    await asyncio.gather(once, return_exceptions=True)
    if once.cancelled():
        log.info("stopped before the cycle finished")
        return ExitCode.OK
    report = once.result()
    log.info(
        "one cycle done: %d feeds, %d new articles, %d failed",
        report.feeds,
        report.new_articles,
        report.failed,
    )
    return ExitCode.OK


def add_health_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`health [--max-age SECONDS]`: the container health check."""
    health = sub.add_parser("health", help="exit 0 if polling and delivery ran recently")
    health.add_argument(
        "--max-age",
        type=int,
        metavar="SECONDS",
        help="the oldest heartbeat that counts as alive (default: 3 x POLL_INTERVAL + 60)",
    )


async def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    """Print one line on the loops' heartbeats; exit 1 when one is stale or missing."""
    if args.max_age is not None and args.max_age < 1:
        print("error: --max-age must be at least 1 second", file=sys.stderr)
        return EXIT_USAGE
    max_age = (
        timedelta(seconds=args.max_age)
        if args.max_age is not None
        else health.default_max_age(settings.poll_interval)
    )
    verdict = await health.check(
        settings.database_url_plain, now=utc_now(), max_age=max_age, prefix=health.host_prefix()
    )
    print(verdict.line, file=sys.stdout if verdict.healthy else sys.stderr)
    return 0 if verdict.healthy else 1


async def with_store(settings: Settings, *, migrate: bool = False) -> Store:
    """A store at the newest schema for the one-shot commands; only `migrate` creates it.

    A command that reads or adds feeds never creates a database: a mistyped DATABASE_URL
    would otherwise answer from a new, empty one.
    """
    if not migrate and missing_sqlite_file(settings.database_url_plain):
        raise not_migrated(settings, "does not exist")
    store = Store.from_url(settings.database_url_plain)
    try:
        await store.wait_until_reachable(settings.database_connect_timeout)
        if migrate:
            await store.migrate()
        elif not await store.is_migrated():
            raise not_migrated(settings, "has no schema or an older one")
    except BaseException:
        await store.close()
        raise
    return store


def not_migrated(settings: Settings, why: str) -> NotMigrated:
    """The error of a command that needs the schema `migrate` creates."""
    return NotMigrated(
        f"the database at {settings.database_url_safe} {why}: run `python -m bot migrate` first"
    )


async def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    """Create or upgrade the schema."""
    store = await with_store(settings, migrate=True)
    await store.close()
    log.info("database is at the newest schema: %s", settings.database_url_safe)
    return 0


async def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    """Print the store's counts."""
    store = await with_store(settings)
    try:
        stats = (await store.stats()).as_dict()
    finally:
        await store.close()
    if args.json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key:16} {value}")
    return 0


async def cmd_feeds(settings: Settings, args: argparse.Namespace) -> int:
    """List, import or export feeds."""
    if args.feeds_command == "import":
        try:
            specs = read_feed_list(args.file)
        except FeedListError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        store = await with_store(settings)
        try:
            added = await import_feed_list(store, specs, source=str(args.file), now=utc_now())
        finally:
            await store.close()
        print(f"{added} feeds added, {len(specs) - added} already known or refused")
        return 0
    store = await with_store(settings)
    try:
        if args.feeds_command == "set":
            return await set_feed_options(store, args)
        feeds = await store.list_feeds()
    finally:
        await store.close()
    if args.feeds_command == "export":
        print(to_opml(FeedSpec(feed.url, feed.title) for feed in feeds))
        return 0
    for feed in feeds:
        state = "active" if feed.active else "paused"
        state += " full-text" if feed.full_text else ""
        state += f" every {feed.poll_interval}s" if feed.poll_interval else ""
        error = f"  errors: {feed.error_streak} ({feed.last_error})" if feed.error_streak else ""
        line = f"{feed.id:5}  {state:26}  {feed.url}  {feed.title or ''}{error}"
        print(mask_credentials(line))  # export keeps passwords: it is the operator's backup
    return 0


async def set_feed_options(store: FeedStore, args: argparse.Namespace) -> int:
    """Apply `feeds set` to one feed."""
    for name in ("interval", "max_interval"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            print(f"error: --{name.replace('_', '-')} must be at least 1 second", file=sys.stderr)
            return EXIT_USAGE
    options = FeedOptions(
        poll_interval=args.interval,
        max_interval=args.max_interval,
        first_poll_alerts=args.first_alerts,
        full_text=None if args.full_text is None else args.full_text == "on",
    )
    if not await store.set_feed_options(args.feed_id, options):
        print(f"error: there is no feed {args.feed_id}", file=sys.stderr)
        return 1
    print(f"feed {args.feed_id} updated")
    return 0


COMMANDS = {
    "run": cmd_run,
    "migrate": cmd_migrate,
    "health": cmd_health,
    "stats": cmd_stats,
    "feeds": cmd_feeds,
}


def with_default_command(argv: Sequence[str]) -> list[str]:
    """`python -m bot [--once ...]` is `python -m bot run [--once ...]`."""
    if not argv or (argv[0].startswith("-") and argv[0] not in TOP_LEVEL_OPTIONS):
        return ["run", *argv]
    return list(argv)  # a command (or a mistyped one, which argparse names)


async def run_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run one command with the event loop's unhandled errors logged (masked)."""
    asyncio.get_running_loop().set_exception_handler(log_loop_exception)
    return await COMMANDS[args.command](settings, args)


def load_settings() -> Settings:
    """The settings from the environment and .env; ConfigError listing every invalid one."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and settings, configure logging, run one command."""
    args = build_parser().parse_args(with_default_command(sys.argv[1:] if argv is None else argv))
    try:
        settings = load_settings()
    except ConfigError as exc:  # before logging is configured: the errors go to stderr as is
        print(exc, file=sys.stderr)
        return exc.exit_code
    configure_logging(settings)
    limit_malloc_arenas()
    try:
        return asyncio.run(run_command(settings, args))
    except MarsadError as exc:  # expected: its message is the one line to print
        log.error("%s", exc)
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C before the run loop took over the signal
        return 130
    except Exception:
        log.exception("Marsad stopped on an unexpected error")
        return ExitCode.FAILURE


if __name__ == "__main__":
    sys.exit(main())
