"""Browser test fixtures (a pytest plugin registered by the root conftest).

Serve Buron the way production does (gunicorn, DEBUG off, whitenoise serving the
collected, hashed and compressed static files) on a temporary database, for Chromium."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing but the local server: every other host name fails to resolve, and whatever
    # is not loopback goes to a closed proxy port.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _wait_until_it_answers(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer {url} within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def served_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the served site keeps its database, static files and outgoing emails."""
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="session")
def mail_dir(served_dir: Path) -> Path:
    """The served site writes each email it sends as a file in this folder."""
    return served_dir / "mail"


@pytest.fixture(scope="session")
def server_url(chromium_path: Path, served_dir: Path, mail_dir: Path) -> Iterator[str]:
    """Base URL of a gunicorn serving the Cantal demo network from a temporary SQLite file."""
    work = served_dir
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),
            "EMAIL_FILE_PATH": str(mail_dir),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "SQLITE_NAME": str(work / "db.sqlite3"),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "BURON_TILE_URL": "",
            "BURON_DEMO": "0",
            # Card payments go to the local fake provider (no money, nothing leaves).
            "BURON_PAYMENT_ADAPTER": "buron.billing.fakecard.FakeCardPayments",
        }
    )
    _manage(env, "migrate", "--noinput")
    _manage(env, "demo_load")
    _manage(env, "collectstatic", "--noinput")

    port = _free_port()
    log = work / "gunicorn.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_it_answers(url + "/", server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Visit:
    """A fresh browser context on the served site, recording every request it makes."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url, locale="fr-FR")
        self.page = self.context.new_page()
        self.requested: list[str] = []
        self.finished: list[Any] = []
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.on("requestfinished", lambda request: self.finished.append(request))
        # What the Content-Security-Policy refused, as Chromium reports it in the console.
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requested
            if not url.startswith(self.base_url + "/") and not url.startswith("data:")
        ]


@pytest.fixture
def visit(browser: Any, server_url: str) -> Iterator[Visit]:
    visit = Visit(browser, server_url)
    yield visit
    visit.context.close()
    assert visit.foreign_requests() == [], "the browser tried to leave 127.0.0.1"
    assert visit.csp_violations == [], "the page broke its Content-Security-Policy"
