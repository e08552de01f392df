"""Every text key the code uses exists, with the same placeholders, in every UI language."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path

from handlers.commands import COMMANDS
from handlers.texts import LANGUAGES, TEXTS

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("handlers", "bot")
Tables = Mapping[str, Mapping[str, str]]


def key_uses(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, kind, text) for each text the source may look up.

    kind "key": the literal key of say(language, "key"); "pattern": an f-string key as a
    regular expression (say(language, f"digest_{mode}") -> digest_.+); "constant": any other
    string, which counts when some language has it as a key: a key chosen earlier
    (usage = "addfeed_usage") and looked up later.
    """
    looked_up: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called(node) == "say" and len(node.args) >= 2:
            key = node.args[1]
            looked_up.add(id(key))
            if isinstance(key, ast.JoinedStr):
                yield node.lineno, "pattern", _pattern(key)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield node.lineno, "key", key.value
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in looked_up
        ):
            yield node.lineno, "constant", node.value


def _called(call: ast.Call) -> str:
    """The name of the function a call calls."""
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _pattern(fstring: ast.JoinedStr) -> str:
    """An f-string as a regular expression: its literal parts, anything for each value."""
    return "".join(
        re.escape(part.value) if isinstance(part, ast.Constant) else ".+" for part in fstring.values
    )


def missing_keys(source: str, tables: Tables) -> list[str]:
    """What the source looks up that some language lacks, as 'line: key (languages)'."""
    known = set().union(*(table.keys() for table in tables.values()))
    problems: list[tuple[int, str]] = []
    for line, kind, text in key_uses(source):
        if kind == "pattern":
            found = {lang: {k for k in t if re.fullmatch(text, k)} for lang, t in tables.items()}
            if not all(found.values()) or len({frozenset(v) for v in found.values()}) > 1:
                problems.append((line, f"{text} {found}"))
            continue
        lacking = [lang for lang, table in tables.items() if text not in table]
        if lacking and (kind == "key" or text in known):
            problems.append((line, f"{text} ({', '.join(lacking)})"))
    return [f"{line}: {problem}" for line, problem in sorted(problems)]


def placeholders(text: str) -> set[str]:
    """The {names} a text is filled with."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_ui_language_has_every_key_with_the_same_placeholders() -> None:
    assert set(TEXTS) == set(LANGUAGES)
    english = TEXTS["en"]
    for language in LANGUAGES:
        assert set(TEXTS[language]) == set(english), language
        for key, text in TEXTS[language].items():
            assert placeholders(text) == placeholders(english[key]), (language, key)


def scanned_sources() -> dict[str, str]:
    """The source of every module under handlers/ and bot/, by path."""
    files = [path for package in SCANNED for path in sorted((ROOT / package).rglob("*.py"))]
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in files}


def test_every_key_the_code_uses_exists_in_every_language() -> None:
    sources = scanned_sources()
    assert len(sources) > 40

    problems = [
        f"{path}:{problem}"
        for path, source in sources.items()
        for problem in missing_keys(source, TEXTS)
    ]

    assert problems == []


def test_every_text_is_used_by_the_code_or_the_command_table() -> None:
    uses = [use for source in scanned_sources().values() for use in key_uses(source)]
    literal = {text for _, kind, text in uses if kind != "pattern"}
    patterns = [text for _, kind, text in uses if kind == "pattern"]
    table = {key for c in COMMANDS for key in (c.menu_key, c.help_key) if key is not None}

    unused = [
        key
        for key in TEXTS["en"]
        if key not in literal | table and not any(re.fullmatch(p, key) for p in patterns)
    ]

    assert unused == []


def test_every_command_has_its_menu_entry_and_help_line_in_every_language() -> None:
    for command in COMMANDS:
        for key in filter(None, (command.menu_key, command.help_key)):
            assert all(TEXTS[language].get(key) for language in LANGUAGES), key


def test_the_scan_finds_a_key_one_language_lacks_however_it_is_used() -> None:
    tables = {
        "ar": {"usage": "…", "mode_on": "…"},
        "en": {"usage": "…", "gone": "…", "mode_on": "…"},
    }
    source = (
        'say(language, "usage")\n'
        'say(language, "gone")\n'  # English only
        'key = "gone" if late else "usage"\n'  # chosen here, looked up later
        'say(language, f"mode_{state}")\n'
        'say(language, f"state_{mode}")\n'  # no language has such a key
        'say(language, "typo")\n'  # no language has it
        'log.info("usage of %s", "other")\n'  # not keys
    )

    assert [problem.split(":")[0] for problem in missing_keys(source, tables)] == [
        "2",
        "3",
        "5",
        "6",
    ]
