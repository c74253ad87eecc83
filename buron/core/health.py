"""Liveness and readiness: what a load balancer or an orchestrator asks before sending traffic.

`/healthz` answers as soon as the process runs; `/readyz` also checks that the database
answers, that every migration is applied and that a background worker looked for work
recently. Neither says anything about people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import WorkerHeartbeat

OK = "ok"


@dataclass(frozen=True)
class Readiness:
    """The result of each readiness check: "ok" or a short reason."""

    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        return all(value == OK for value in self.checks.values())


def worker_heartbeat_record(*, worker_id: str, now: dt.datetime | None = None) -> None:
    """Note that the worker `worker_id` is alive and looking for work."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": now or timezone.now()}
    )


def worker_heartbeats_prune(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Forget workers not seen for a day (each restart has a new id)."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - older_than).delete()
    return deleted


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return OK


def _migrations() -> str:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return OK if not plan else f"{len(plan)} unapplied"


def _worker_needed() -> bool:
    backend = settings.TASKS["default"]["BACKEND"]
    return backend == "django_tasks_db.DatabaseBackend"


def _worker(now: dt.datetime) -> str:
    if not _worker_needed():
        return OK  # tasks run in the request (immediate backend): no worker to wait for
    newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
    seen = newest.first()
    if seen is None:
        return "never seen"
    if now - seen > dt.timedelta(seconds=settings.WORKER_STALE_SECONDS):
        return "stale"
    return OK


def readiness_check(*, now: dt.datetime | None = None) -> Readiness:
    """Database reachable, migrations applied, a worker seen in the last minutes."""
    now = now or timezone.now()
    checks = {"database": _database()}
    if checks["database"] != OK:
        return Readiness({**checks, "migrations": "unknown", "worker": "unknown"})
    try:
        checks["migrations"] = _migrations()
        checks["worker"] = _worker(now)
    except DatabaseError:
        return Readiness({"database": "error", "migrations": "unknown", "worker": "unknown"})
    return Readiness(checks)
