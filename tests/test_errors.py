"""One exception tree: public errors in bot/errors.py, every class drawn in its docstring."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import aiohttp

from bot import errors
from bot.errors import AddressRefused, MarsadError, SearchError
from bot.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "classifiers", "config")


def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class the project's packages define, by module-qualified name."""
    found: dict[str, type[BaseException]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:  # alembic's scripts, importable only under alembic
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            module = importlib.import_module(name.removesuffix(".__init__"))
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                    found[f"{cls.__module__}.{cls.__name__}"] = cls
    return found


def test_public_exceptions_live_in_bot_errors_and_private_ones_are_justified() -> None:
    classes = exception_classes()
    outside = sorted(name for name in classes if not name.startswith("bot.errors."))
    public_outside = [name for name in outside if not name.rsplit(".", 1)[1].startswith("_")]
    assert public_outside == [], "public exception classes belong in bot/errors.py"
    assert outside == ["bot.feeds.fastparse._Unsure", "bot.feeds.fetch._FetchError"]


def test_the_docstring_draws_every_class_and_no_other() -> None:
    # A class is drawn after a branch (── Name) or at the tree's left edge (root, private).
    drawn = re.findall(r"── (\w+)|^ {4}(\w+)", errors.__doc__ or "", re.MULTILINE)
    names = {branch or edge for branch, edge in drawn}
    defined = {name.rsplit(".", 1)[1] for name in exception_classes()}
    assert names == defined


def test_every_public_error_is_a_marsad_error_with_an_exit_code() -> None:
    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, BaseException) and cls.__module__ == "bot.errors":
            assert issubclass(cls, MarsadError), name
            assert isinstance(cls.exit_code, ExitCode), name


def test_address_refused_is_also_a_connection_error_for_aiohttp() -> None:
    refused = AddressRefused("refused: 10.0.0.5 is a private address")
    assert isinstance(refused, aiohttp.ClientConnectionError)
    assert str(refused) == "refused: 10.0.0.5 is a private address"


def test_a_search_error_keeps_its_text_key_and_value() -> None:
    error = SearchError("search_bad_since", "soon")
    assert (error.key, error.value) == ("search_bad_since", "soon")
