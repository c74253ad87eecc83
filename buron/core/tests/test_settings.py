"""Settings read from the environment, checked in a fresh interpreter each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[3]

REQUEST_WARNINGS = (
    "import logging, django; django.setup();"
    "print(logging.getLogger('django.request').isEnabledFor(logging.WARNING))"
)


def _run(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"LOG_LEVEL", "DATABASE_URL"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", **env})
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


@pytest.mark.parametrize(("level", "logged"), [("WARNING", "True"), ("ERROR", "False")])
def test_the_log_level_reaches_django_s_request_warnings(level, logged):
    """Every 409 or 422 answer is a WARNING of django.request: LOG_LEVEL=ERROR drops them."""
    assert _run(REQUEST_WARNINGS, LOG_LEVEL=level) == logged


def test_the_development_server_still_logs_its_requests():
    code = (
        "import logging, django; django.setup(); log = logging.getLogger('django.server');"
        "print(log.isEnabledFor(logging.INFO), bool(log.handlers))"
    )
    assert _run(code) == "True True"
