"""A small HTTP load harness: threads, each with its own keep-alive connection to 127.0.0.1.

Every loop is bounded by a deadline and a count; a request that ends after the deadline
is not counted (its outcome is still checked for failures).
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .server import HOST


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


# The k-th request of one client, or None when it has nothing more to ask.
Plan = Callable[[int], Request | None]


@dataclass
class ClientResult:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    late: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures += 1
        if len(self.errors) < 5:
            self.errors.append(message)


@dataclass
class LoadResult:
    label: str
    clients: int
    duration_s: float
    statuses: dict[int, int]
    completed: int
    failures: int
    late: dict[int, int]
    errors: list[str]
    latency_p50_ms: float
    latency_p95_ms: float
    groups: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.completed / self.duration_s if self.duration_s else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "clients": self.clients,
            "duration_s": round(self.duration_s, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "completed": self.completed,
            "requests_per_s": round(self.rps, 1),
            "failures": self.failures,
            "late_not_counted": {str(k): v for k, v in sorted(self.late.items())},
            "errors": self.errors,
            "latency_p50_ms": round(self.latency_p50_ms, 1),
            "latency_p95_ms": round(self.latency_p95_ms, 1),
            "groups": self.groups,
        }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), interpolated; 0.0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1])


def _send(conn: http.client.HTTPConnection, request: Request) -> tuple[int, bytes]:
    conn.request(request.method, request.path, body=request.body, headers=dict(request.headers))
    response = conn.getresponse()
    return response.status, response.read()


def sequential(
    *,
    port: int,
    request: Request,
    calls: int,
    warmup: int = 3,
    timeout_s: float = 30.0,
    max_seconds: float = 300.0,
) -> tuple[list[float], bytes]:
    """Latencies (ms) of up to `calls` requests one after another on one connection (fewer
    if `max_seconds` runs out), and the last body. Any answer but 200 stops the run."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
    latencies: list[float] = []
    body = b""
    deadline = time.perf_counter() + max_seconds
    try:
        for n in range(warmup + calls):
            if time.perf_counter() > deadline:
                break
            begin = time.perf_counter()
            status, body = _send(conn, request)
            elapsed = (time.perf_counter() - begin) * 1000
            if status != 200:
                raise RuntimeError(f"{request.path} answered {status}: {body[:300]!r}")
            if n >= warmup:
                latencies.append(elapsed)
    finally:
        conn.close()
    return latencies, body


def _client(
    *,
    port: int,
    plan: Plan,
    completed_statuses: frozenset[int],
    barrier: threading.Barrier,
    starts: list[float],
    duration_s: float,
    max_requests: int,
    timeout_s: float,
    result: ClientResult,
) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
    try:
        conn.connect()
    except OSError as exc:
        result.fail(f"connect: {exc}")
    try:
        barrier.wait(timeout=60)
    except threading.BrokenBarrierError:
        result.fail("start barrier broken")
        conn.close()
        return
    deadline = starts[0] + duration_s
    try:
        for k in range(max_requests):
            if time.perf_counter() >= deadline:
                break
            request = plan(k)
            if request is None:
                break
            begin = time.perf_counter()
            try:
                status, body = _send(conn, request)
            except (OSError, http.client.HTTPException) as exc:
                result.fail(f"{request.method} {request.path}: {type(exc).__name__}: {exc}")
                conn.close()
                time.sleep(0.01)
                continue
            end = time.perf_counter()
            if status not in completed_statuses:
                result.fail(f"{request.method} {request.path}: {status} {body[:200]!r}")
            elif end > deadline:
                result.late[status] += 1
            else:
                result.statuses[status] += 1
                result.latencies_ms.append((end - begin) * 1000)
    finally:
        conn.close()


def load(
    *,
    label: str,
    port: int,
    plans: Sequence[Plan],
    duration_s: float,
    max_requests: int,
    completed_statuses: frozenset[int],
    timeout_s: float = 30.0,
    groups: Sequence[str] | None = None,
) -> LoadResult:
    """Run one thread per plan for `duration_s` seconds, all starting together; `groups`
    names each plan's group, whose figures are also given apart."""
    starts: list[float] = []
    barrier = threading.Barrier(len(plans), action=lambda: starts.append(time.perf_counter()))
    results = [ClientResult() for _ in plans]
    threads = [
        threading.Thread(
            target=_client,
            kwargs={
                "port": port,
                "plan": plan,
                "completed_statuses": completed_statuses,
                "barrier": barrier,
                "starts": starts,
                "duration_s": duration_s,
                "max_requests": max_requests,
                "timeout_s": timeout_s,
                "result": result,
            },
            name=f"{label}-{n}",
            daemon=True,
        )
        for n, (plan, result) in enumerate(zip(plans, results, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60 + duration_s + timeout_s)
    stuck = sum(thread.is_alive() for thread in threads)
    statuses: Counter[int] = Counter()
    late: Counter[int] = Counter()
    latencies: list[float] = []
    errors: list[str] = []
    for result in results:
        statuses.update(result.statuses)
        late.update(result.late)
        latencies.extend(result.latencies_ms)
        errors.extend(result.errors)
    if stuck:
        errors.append(f"{stuck} client threads still running after the deadline")
    by_group: dict[str, dict[str, object]] = {}
    for name in dict.fromkeys(groups or []):
        members = [r for r, g in zip(results, groups or [], strict=True) if g == name]
        group_statuses: Counter[int] = Counter()
        group_latencies: list[float] = []
        for result in members:
            group_statuses.update(result.statuses)
            group_latencies.extend(result.latencies_ms)
        by_group[name] = {
            "clients": len(members),
            "statuses": {str(k): v for k, v in sorted(group_statuses.items())},
            "requests_per_s": round(sum(group_statuses.values()) / duration_s, 1),
            "latency_p50_ms": round(percentile(group_latencies, 50), 1),
            "latency_p95_ms": round(percentile(group_latencies, 95), 1),
            "failures": sum(r.failures for r in members),
        }
    return LoadResult(
        label=label,
        clients=len(plans),
        duration_s=duration_s,
        statuses=dict(statuses),
        completed=sum(statuses.values()),
        failures=sum(r.failures for r in results) + stuck,
        late=dict(late),
        errors=errors[:10],
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        groups=by_group,
    )
