"""Run `manage.py check --deploy` under production settings (DEBUG off, a real key)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

env = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "buron.example.org",
}
result = subprocess.run(
    [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    env=env,
    check=False,
)
sys.exit(result.returncode)
