"""Every shape of a message is built in bot/render and nowhere else (issue 12).

An alert had four looks built in four places; a fifth copy would drift again. Two checks:
no module outside bot/render imports the pieces shapes are made of, and no module under
bot/ outside it writes the marks only a shape writes.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RENDER = ROOT / "bot" / "render"
# The pieces of shapes: whoever imports one is building an alert or a digest by hand.
PIECES = frozenset(
    {
        "DigestItem",
        "LABELS",
        "digest_item",
        "digest_line",
        "evidence_lines",
        "hashtag",
        "hashtag_line",
        "labels",
        "render_digest_parts",
    }
)
# Marks of the shapes: the digest's header, the alert's time, link and "why" lines, the
# console alert's rule. (Handlers' replies live in handlers/texts.py, outside bot/.)
MARKS = ("🗞", "🕒", "🔗", "🔎", "── [")


def modules(*packages: str) -> list[Path]:
    """The Python modules of some packages, bot/render's excepted."""
    found = (path for name in packages for path in (ROOT / name).rglob("*.py"))
    return sorted(path for path in found if RENDER not in path.parents)


def rendering_imports(path: Path) -> set[str]:
    """The names a module imports from a rendering module (bot.render, or any *render*)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and "render" in (node.module or ""):
            names |= {alias.name for alias in node.names}
    return names


def test_only_the_renderer_uses_the_pieces_of_shapes() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(used)
        for path in modules("bot", "handlers")
        if (used := rendering_imports(path) & PIECES)
    }
    assert not offenders, f"messages built outside bot/render (add a shape there): {offenders}"


def test_only_the_renderer_writes_the_marks_of_shapes() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in modules("bot")
        if (found := [mark for mark in MARKS if mark in path.read_text(encoding="utf-8")])
    }
    assert not offenders, f"shape marks outside bot/render: {offenders}"


def test_the_renderer_builds_every_shape() -> None:
    text = "".join(path.read_text(encoding="utf-8") for path in RENDER.glob("*.py"))
    assert all(mark in text for mark in MARKS)  # the marks above are real, not stale
