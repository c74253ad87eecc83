"""Login lockouts and API throttling hold across worker processes.

Two gunicorn processes serve the same database (production settings, DEBUG off), and the
requests of each scenario alternate between them: a limit kept in each process's memory
would let every process count only half the attempts. Run once with the database as the
shared store (the default) and once with Redis (REDIS_URL). API calls are counted in
batches each process reserves (buron.core.ratelimit): the limit below is large enough for
batches of several calls."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from buron.core.testing.browser import PROJECT_DIR

PASSWORD = "a long and quiet walk 42"
WRONG = "not the password at all"
MEMBERS = [f"member{n}@example.org" for n in range(6)]
ADMIN = "admin@example.org"
RATE_CALLS = 40
RATE_PERIOD = 3600


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
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
    return result.stdout


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    """A client with its own cookies that does not follow redirects."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(
        self,
        url: str,
        *,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # One public name in front of both processes, as behind a reverse proxy (allauth
        # counts an account's failures under the site's domain and the email).
        headers = {"Host": "127.0.0.1", **(headers or {})}
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken" and c.value)

    def login(self, base: str, email: str, password: str, next_url: str = "") -> Answer:
        page = self.request(f"{base}/compte/login/")
        assert page.status == 200, page.body[:500]
        target = f"{base}/compte/login/" + (
            f"?{urllib.parse.urlencode({'next': next_url})}" if next_url else ""
        )
        return self.request(
            target,
            data={"login": email, "password": password, "csrfmiddlewaretoken": self.csrf()},
        )


@dataclass
class Servers:
    urls: list[str]
    tokens: dict[str, str]
    processes: list[subprocess.Popen[bytes]]
    env: dict[str, str]
    work: Path

    def alternate(self) -> Iterator[str]:
        while True:
            yield from self.urls

    def restart(self) -> None:
        """Stop both processes and start them again on the same ports."""
        for server in self.processes:
            _stop(server)
        self.processes[:] = [
            _start(self.env, self.work, n, int(url.rsplit(":", 1)[1]))
            for n, url in enumerate(self.urls)
        ]


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 30 s:\n{log.read_text()}")


def _start(env: dict[str, str], work: Path, n: int, port: int) -> subprocess.Popen[bytes]:
    log = work / f"gunicorn-{n}.log"
    with log.open("ab") as log_file:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "1",
            ],
            cwd=PROJECT_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    _wait_for(f"http://127.0.0.1:{port}/", server, log)
    return server


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(scope="module", params=["database", "redis"])
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    if request.param == "redis" and not _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    work = tmp_path_factory.mktemp(f"two-processes-{request.param}")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SQLITE_NAME": str(work / "db.sqlite3"),
            "STATIC_ROOT": str(work / "static"),
            "EMAIL_FILE_PATH": str(work / "mail"),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "API_RATE_PER_TOKEN": f"{RATE_CALLS}/{RATE_PERIOD}s",
            "LOG_LEVEL": "ERROR",
        }
    )
    if request.param == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        env["CACHE_KEY_PREFIX"] = f"buron-test-{secrets.token_hex(8)}"
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput")
    # Everyone in one command (each start of manage.py costs seconds).
    created = _manage(
        env,
        "shell",
        "-c",
        "import json;"
        "from allauth.account.models import EmailAddress;"
        "from buron.accounts.models import User;"
        "from buron.accounts.services import api_token_create, member_create;"
        f"members = [member_create(email=e, password={PASSWORD!r}, status='freelancer',"
        f" verified=True) for e in {MEMBERS!r}];"
        f"admin = User.objects.create_superuser({ADMIN!r}, {PASSWORD!r});"
        f"EmailAddress.objects.create(user=admin, email={ADMIN!r}, verified=True, primary=True);"
        "print(json.dumps({m.email: api_token_create(user=m) for m in members[:3]}))",
    )
    tokens = json.loads(created.strip().splitlines()[-1])
    processes: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for n in range(2):
            port = _free_port()
            processes.append(_start(env, work, n, port))
            urls.append(f"http://127.0.0.1:{port}")
        yield Servers(urls, tokens, processes, env, work)
    finally:
        for server in processes:
            _stop(server)


def test_an_account_is_locked_whichever_process_counts_its_failures(servers: Servers) -> None:
    email = MEMBERS[5]
    process = servers.alternate()
    for _attempt in range(5):
        assert Browser().login(next(process), email, WRONG).status == 200
    # Each process saw only two or three failures: a per-process count would let this in.
    for base in servers.urls:
        answer = Browser().login(base, email, PASSWORD)
        assert answer.status == 200, "the right password got in after five failures"
        assert re.search(r"(?i)trop de tentatives|too many", answer.body)


def test_typos_of_several_members_sharing_one_address_lock_out_no_one(servers: Servers) -> None:
    """A telecentre's members share one address: their failures add up there, yet below
    each one's own limit nobody is locked out."""
    process = servers.alternate()
    members = MEMBERS[2:5]
    for _round in range(4):
        for email in members:
            assert Browser().login(next(process), email, WRONG).status == 200
    for email in members:
        answer = Browser().login(next(process), email, PASSWORD)
        assert answer.status == 302, answer.body[:300]


def test_the_admin_login_is_the_member_login_with_its_lockout(servers: Servers) -> None:
    base = servers.urls[0]
    answer = Browser().request(f"{base}/admin/login/?next=/admin/places/site/")
    assert answer.status == 302
    assert answer.headers["Location"] == "/compte/login/?next=%2Fadmin%2Fplaces%2Fsite%2F"
    # An address elsewhere is not followed.
    answer = Browser().request(f"{base}/admin/login/?next=https://evil.example/")
    assert answer.headers["Location"] == "/compte/login/?next=%2Fadmin%2F"
    # Posting credentials to the old admin form signs nobody in.
    client = Browser()
    client.request(f"{base}/compte/login/")
    answer = client.request(
        f"{base}/admin/login/",
        data={"username": ADMIN, "password": PASSWORD, "csrfmiddlewaretoken": client.csrf()},
    )
    assert answer.status == 302
    assert client.request(f"{base}/admin/").status == 302

    process = servers.alternate()
    for _attempt in range(6):
        Browser().login(next(process), ADMIN, WRONG, next_url="/admin/")
    for server in servers.urls:
        client = Browser()
        assert client.login(server, ADMIN, PASSWORD, next_url="/admin/").status == 200
        assert client.request(f"{server}/admin/").status == 302


def test_the_admin_login_lets_staff_in(servers: Servers) -> None:
    """(With an account that has no failures: the lockout above is the admin's own.)"""
    base = servers.urls[1]
    client = Browser()
    answer = client.login(base, MEMBERS[0], PASSWORD, next_url="/admin/")
    assert answer.status == 302
    # A member signed in is not staff: the admin refuses and says so, without a loop.
    assert client.request(f"{base}/admin/").status == 302
    assert client.request(f"{base}/admin/login/?next=/admin/").status == 403


def _outside_window_edge() -> None:
    """The counter's window is fixed (RATE_PERIOD seconds from the epoch): never start the
    scenario in its last seconds."""
    left = RATE_PERIOD - time.time() % RATE_PERIOD
    if left < 30:
        time.sleep(left + 1)


def test_api_calls_are_counted_per_token_across_processes(servers: Servers) -> None:
    _outside_window_edge()
    first, second = (servers.tokens[email] for email in MEMBERS[:2])
    process = servers.alternate()

    def call(token: str) -> Answer:
        return Browser().request(
            f"{next(process)}/api/v1/bookings", headers={"Authorization": f"Bearer {token}"}
        )

    for _call in range(RATE_CALLS):
        assert call(first).status == 200
    refused = call(first)
    assert refused.status == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= RATE_PERIOD
    assert "detail" in refused.body
    assert call(first).status == 429  # on the other process too
    # Another token has its own count.
    assert call(second).status == 200


def test_a_restart_of_every_process_keeps_the_count_of_the_window(servers: Servers) -> None:
    """Each process forgets its reservations when it stops: they count as used, so the
    client may lose a few calls, never gain one."""
    _outside_window_edge()
    token = servers.tokens[MEMBERS[2]]
    process = servers.alternate()

    def call() -> int:
        return (
            Browser()
            .request(
                f"{next(process)}/api/v1/bookings", headers={"Authorization": f"Bearer {token}"}
            )
            .status
        )

    before = [call() for _call in range(RATE_CALLS // 2)]
    assert before == [200] * (RATE_CALLS // 2)
    servers.restart()
    after = [call() for _call in range(RATE_CALLS)]
    served = after.count(200)
    # Two processes, each of which may have held back a batch (RATE_CALLS // 16 calls).
    assert RATE_CALLS // 2 - 2 * (RATE_CALLS // 16) <= served <= RATE_CALLS // 2
    assert after[served:] == [429] * (RATE_CALLS - served)
