"""Marsad runs from its checkout: nothing of it is installed into site-packages."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["bot", "handlers", "classifiers", "config"]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_imports_from_the_checkout(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().parent == ROOT / name


def test_no_project_package_in_site_packages() -> None:
    site_dirs = [Path(p) for p in sys.path if p.endswith("site-packages")]
    assert site_dirs, "the tests run inside a virtual environment"
    for site in site_dirs:
        for name in PACKAGES:
            assert not (site / name).exists(), f"{name} is installed in {site}"


def test_pyproject_has_no_build_system() -> None:
    lines = (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    tables = {line.strip() for line in lines if line.startswith("[")}
    assert not tables & {"[build-system]", "[project]"}


def test_runtime_requirements_are_pinned() -> None:
    for name in ("requirements.txt", "requirements-camel.txt"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                assert "==" in line, f"{name}: {line} is not pinned"


@pytest.mark.slow
def test_the_venv_has_no_torch_or_transformers() -> None:
    """camel-tools is installed without its heavy declared dependencies."""
    found = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    names = {line.split("==")[0] for line in found.splitlines()}
    assert "camel-tools" in names or "camel_tools" in names
    assert not names & {"torch", "transformers", "tensorflow"}


# A module longer than this has more than one concern in it (issue 12: store.py had 1,370).
MAX_MODULE_LINES = 500


@pytest.mark.parametrize("name", PACKAGES)
def test_no_module_is_over_500_lines(name: str) -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / name).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_only_storage_config_and_logsafe_import_sqlalchemy() -> None:
    """SQLAlchemy stays behind bot.storage; settings and log redaction only parse URLs."""
    allowed = {"config/settings.py", "bot/logsafe.py"}
    found = {
        str(path.relative_to(ROOT))
        for name in PACKAGES
        for path in sorted((ROOT / name).rglob("*.py"))
        if "import sqlalchemy" in (text := path.read_text(encoding="utf-8"))
        or "from sqlalchemy" in text
    }
    outside = {
        path for path in found if not path.startswith("bot/storage/") and path not in allowed
    }
    assert not outside, f"sqlalchemy imported outside bot/storage: {sorted(outside)}"


def handlers_imports(path: Path) -> list[str]:
    """What a module imports from the handlers package, as 'module:name'."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "handlers":
            found += [f"{node.module}:{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "handlers"]
    return found


def test_bot_reaches_the_handlers_only_through_the_routing_table() -> None:
    """The core never depends on the Telegram edge; the composition root only routes it."""
    found = {
        str(path.relative_to(ROOT)): names
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if (names := handlers_imports(path))
    }
    assert found == {"bot/app.py": ["handlers:ROUTING"]}
