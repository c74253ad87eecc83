"""Start gunicorn on 127.0.0.1, wait for its first answer, read its workers' memory, stop it."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import PROJECT_DIR, SETTINGS_MODULE, WSGI_APP, Load

HOST = "127.0.0.1"
MINIMAL_PATH = "/bench/minimal"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def server_env(database: Mapping[str, str], load: Load) -> dict[str, str]:
    """Production-like settings: DEBUG off, a random key, plain HTTP on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SQLITE_NAME", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "CONN_MAX_AGE": str(load.conn_max_age),
            "LOG_LEVEL": "ERROR",
            "PYTHONDONTWRITEBYTECODE": "1",
            # Each client calls far faster than a person: counted as usual (the cost is
            # measured), never refused.
            "API_RATE_PER_TOKEN": "100000000/60s",
        }
    )
    env.update(database)
    return env


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    started: float
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                # The command may hold spaces or parentheses: fields follow the last ')'.
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == self.pid:
                    children.append(int(entry.name))
        return sorted(children)


def start(*, env: Mapping[str, str], load: Load, log_path: Path) -> Server:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        WSGI_APP,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(load.workers),
        "--worker-class",
        load.worker_class,
        "--threads",
        str(load.threads),
        "--keep-alive",
        "30",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    if load.preload:
        command.append("--preload")
    log = log_path.open("ab")
    try:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()
    return Server(process=process, port=port, started=time.perf_counter(), log_path=log_path)


def wait_first_ok(server: Server, *, timeout_s: float = 60.0, path: str = MINIMAL_PATH) -> float:
    """Seconds from the start of the server to its first 200 answer on `path`."""
    deadline = server.started + timeout_s
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.process.returncode}): {server.log_path}")
        conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return time.perf_counter() - server.started
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.005)
    raise RuntimeError(f"gunicorn gave no 200 on {path} within {timeout_s} s: {server.log_path}")


def stop(server: Server) -> None:
    if server.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # The master and its workers share a session of their own: end that group only.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.process.wait(timeout=15)


@contextlib.contextmanager
def running(*, env: Mapping[str, str], load: Load, log_path: Path) -> Iterator[Server]:
    server = start(env=env, load=load, log_path=log_path)
    try:
        yield server
    finally:
        stop(server)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cold_starts(*, env: Mapping[str, str], load: Load, log_path: Path) -> list[float]:
    """Start a fresh server several times; seconds until its first 200 each time."""
    found = []
    for _trial in range(load.cold_start_trials):
        with running(env=env, load=load, log_path=log_path) as server:
            found.append(wait_first_ok(server))
    return found
