"""The README's management commands work as written on the demo (its local `.env`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(env_file: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings", "BURON_ENV_FILE": str(env_file), **extra}
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_the_demo_env_the_settings_refuse_to_start(tmp_path):
    result = _manage(tmp_path / "absent.env", "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_demo_env_lets_commands_run_as_written(tmp_path):
    env_file = tmp_path / ".env"
    written = subprocess.run(
        [sys.executable, "scripts/demo_env.py", str(env_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "written" in written.stdout
    content = env_file.read_text()
    assert "DEBUG=1" in content
    assert len(content.split("SECRET_KEY=")[1].strip()) >= 50
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"

    result = _manage(env_file, "api_token_create", "--help")
    assert result.returncode == 0, result.stderr
    assert "--email" in result.stdout

    again = subprocess.run(
        [sys.executable, "scripts/demo_env.py", str(env_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "kept" in again.stdout
    assert env_file.read_text() == content


def test_the_environment_wins_over_the_demo_env(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=demo-key-demo-key-demo-key\n")
    result = _manage(
        env_file,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)",
        DEBUG="0",
        SECRET_KEY="from-the-environment-" + "x" * 40,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["False", "from-the-environment-" + "x" * 40]
