"""`manage.py db_worker`: django-tasks-db's worker, which also records a heartbeat.

The heartbeat (one row per worker, updated at most every HEARTBEAT_SECONDS while the worker
polls for tasks) is what `/readyz` reads to tell that a worker is alive even when the queue
is empty. Everything else is the upstream worker, unchanged.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import DatabaseError
from django_tasks_db.management.commands import db_worker as upstream

from buron.core.health import worker_heartbeat_record, worker_heartbeats_prune

HEARTBEAT_SECONDS = 30.0


class HeartbeatWorker(upstream.Worker):
    """The upstream worker, noting it is alive each time it looks for tasks."""

    _beat_at = 0.0

    def beat(self) -> None:
        if time.monotonic() - self._beat_at < HEARTBEAT_SECONDS:
            return
        try:
            if not self._beat_at:  # once per start: forget workers gone for a day
                worker_heartbeats_prune()
            worker_heartbeat_record(worker_id=self.worker_id)
        except DatabaseError:  # the worker's own loop reports database trouble
            return
        self._beat_at = time.monotonic()

    def run_task(self, db_task_result: Any) -> None:
        self.beat()
        super().run_task(db_task_result)


class _Polling:
    """Wraps the upstream module's `close_old_connections`, called once per polling turn."""

    def __init__(self, original: Any) -> None:
        self.original = original
        self.worker: HeartbeatWorker | None = None

    def __call__(self) -> None:
        self.original()
        if self.worker is not None:
            self.worker.beat()


# The upstream command closes stale connections between polls through this module global.
_CLOSE = "close_old_connections"


class Command(upstream.Command):
    help = "Run a database background worker (with a heartbeat for /readyz)"

    def handle(self, *args: Any, **options: Any) -> None:
        polling = _Polling(getattr(upstream, _CLOSE))
        original_worker = upstream.Worker

        def make_worker(**kwargs: Any) -> HeartbeatWorker:
            worker = HeartbeatWorker(**kwargs)
            polling.worker = worker
            return worker

        upstream.Worker = make_worker  # type: ignore[misc,assignment]
        setattr(upstream, _CLOSE, polling)
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = original_worker  # type: ignore[misc]
            setattr(upstream, _CLOSE, polling.original)
