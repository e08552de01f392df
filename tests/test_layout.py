"""Marsad runs from its checkout: nothing of it is installed into site-packages."""

from __future__ import annotations

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
