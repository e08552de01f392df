"""The deployment files say what the README promises: checked with their own parsers."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import dockerfile
import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.exitcodes import ExitCode
from config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "scripts/install"


def docker_commands(name: str) -> list[dockerfile.Command]:
    """The Dockerfile's instructions, as Docker's own parser (buildkit) reads them."""
    return list(dockerfile.parse_file(str(ROOT / name)))


def only(commands: list[dockerfile.Command], kind: str) -> list[dockerfile.Command]:
    """The instructions of one kind, in order."""
    return [command for command in commands if command.cmd == kind]


def shell_words(command: dockerfile.Command) -> list[str]:
    """A shell-form RUN's words (env assignments included)."""
    return shlex.split(" ".join(command.value))


def test_dockerfile_installs_with_the_install_script_in_runtime_mode() -> None:
    commands = docker_commands("Dockerfile")
    [base] = only(commands, "FROM")
    assert base.value[0].startswith("python:3.11-slim")
    installs = [run for run in only(commands, "RUN") if INSTALL in shell_words(run)]
    assert len(installs) == 1
    words = shell_words(installs[0])
    assert "--dev" not in words
    # Nothing else installs packages, and no dev requirement reaches the image.
    for command in commands:
        text = command.original
        assert "requirements-dev" not in text
        assert command is installs[0] or "pip" not in text.split()
    copied = [c.value for c in only(commands, "COPY")]
    assert any(INSTALL in value for value in copied)
    assert any("requirements.txt" in value for value in copied)


def test_dockerfile_runs_as_a_non_root_user() -> None:
    commands = docker_commands("Dockerfile")
    users = only(commands, "USER")
    assert users, "no USER instruction"
    assert users[-1].value[0].split(":")[0] not in {"root", "0"}
    last_user = commands.index(users[-1])
    assert not only(commands[last_user:], "RUN"), "nothing runs as root after USER"


def test_dockerfile_health_check_is_the_health_command() -> None:
    commands = docker_commands("Dockerfile")
    [check] = only(commands, "HEALTHCHECK")
    assert check.value == ("CMD", "python", "-m", "bot", "health")
    [cmd] = only(commands, "CMD")
    assert cmd.value[:3] == ("python", "-m", "bot")


def test_dockerignore_keeps_secrets_and_the_venv_out_of_the_build() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".git", "data"} <= set(ignored)


def compose() -> dict[str, Any]:
    """compose.yaml as YAML (merge keys resolved)."""
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_has_postgres_with_a_named_volume_and_a_health_check() -> None:
    spec = compose()
    postgres = spec["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    volume, _, target = postgres["volumes"][0].partition(":")
    assert target == "/var/lib/postgresql/data"
    assert volume in spec["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_compose_runs_the_migration_before_the_worker() -> None:
    services = compose()["services"]
    migrate, worker = services["migrate"], services["marsad"]
    assert migrate["command"] == ["python", "-m", "bot", "migrate"]
    assert worker["command"] == ["python", "-m", "bot", "run"]
    assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for service in (migrate, worker):
        assert service["build"] == "." and service["env_file"] == ".env"


def test_compose_database_url_is_a_valid_setting_for_the_postgres_service() -> None:
    services = compose()["services"]
    url = services["marsad"]["environment"]["DATABASE_URL"]
    password = services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password in url  # both read POSTGRES_PASSWORD from .env
    settings = Settings(database_url=url.replace(password, "example"))
    parsed = make_url(settings.database_url_plain)
    assert (parsed.drivername, parsed.host) == ("postgresql+asyncpg", "postgres")
    env = services["postgres"]["environment"]
    assert (parsed.username, parsed.database) == (env["POSTGRES_USER"], env["POSTGRES_DB"])


def systemd_unit() -> dict[str, dict[str, list[str]]]:
    """deploy/marsad.service: each section's keys with every value (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    section: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / "marsad.service").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key, []).append(value)
    return sections


def test_systemd_unit_runs_marsad_as_its_own_user_with_hardening() -> None:
    unit = systemd_unit()
    service = {key: values[-1] for key, values in unit["Service"].items()}
    assert service["ExecStart"].endswith("/.venv/bin/python -m bot run")
    assert (service["User"], service["Group"]) == ("marsad", "marsad")
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/marsad/marsad.env"
    for option in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices"):
        assert service[option] == "yes", option
    assert service["ProtectSystem"] == "strict"
    # Under ProtectSystem=strict only the state directory is writable: the SQLite default.
    assert service["StateDirectory"] == "marsad"
    assert (
        "DATABASE_URL=sqlite+aiosqlite:////var/lib/marsad/marsad.db"
        in (unit["Service"]["Environment"])
    )
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


def test_systemd_unit_stops_marsad_alone_and_restarts_only_what_a_restart_fixes() -> None:
    service = {key: values[-1] for key, values in systemd_unit()["Service"].items()}
    assert service["KillMode"] == "mixed"  # SIGTERM to the main process; it stops its workers
    no_restart = {int(code) for code in service["RestartPreventExitStatus"].split()}
    assert no_restart == {ExitCode.CONFIG, ExitCode.TOKEN_REFUSED}


def test_readme_lists_every_exit_code_and_the_new_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| exit code |", 1)[1].split("\n\n", 1)[0]
    for code in ExitCode:
        assert f"| {code.value} |" in table, code
    for subject in ("LOG_FORMAT", "DATABASE_CONNECT_TIMEOUT", "--version", "python -m bot --once"):
        assert subject in readme, subject


def test_license_is_the_full_apache_2_text() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "9. Accepting Warranty or Additional Liability." in text
    assert "END OF TERMS AND CONDITIONS" in text


@pytest.mark.slow
def test_makefile_and_post_compile_install_through_the_script() -> None:
    dry_run = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{INSTALL} --dev --venv .venv" in dry_run
    assert "pip install" not in dry_run  # the script is the one place that installs
    post_compile = (ROOT / "bin" / "post_compile").read_text(encoding="utf-8")
    assert INSTALL in post_compile and "pip install" not in post_compile


@pytest.mark.slow
@pytest.mark.parametrize("mode", [[], ["--dev"]])
def test_install_script_is_idempotent_and_offline_when_all_is_installed(mode: list[str]) -> None:
    """Run on the tests' own venv with the index turned off: nothing is left to fetch."""
    venv = Path(sys.prefix)
    env = {**os.environ, "PIP_NO_INDEX": "1"}
    done = subprocess.run(
        [str(ROOT / INSTALL), *mode, "--venv", str(venv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_install_script_refuses_unknown_options() -> None:
    done = subprocess.run([str(ROOT / INSTALL), "--devv"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == "scripts/install: unknown option '--devv' (see --help)\n"


def test_readme_documents_deploying_and_keeps_its_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"```sh\n(.*?)```", readme, re.DOTALL) == ["make run\n", "make test\n"]
    deploying = readme.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    for subject in (
        "Dockerfile",
        "compose.yaml",
        "deploy/marsad.service",
        "scripts/install",
        "python -m bot health",
        "--max-age",
        "TELEGRAM_PROXY",
        ".env.example",
    ):
        assert subject in deploying, subject
