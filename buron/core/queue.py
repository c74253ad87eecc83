"""Tasks queued by a transaction, written together.

In the database's queue (django-tasks-db) a task is a row written in the transaction that
queues it: it commits or rolls back with that transaction. A booking queues its
confirmation and, through its participants, other apps' tasks (the observatory's rollups):
inside `tasks_together()` those rows are kept and written by one statement when the block
ends, rather than one statement each. Outside such a block, or with another queue,
`task_enqueue` is the task's own `enqueue`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

_local = threading.local()


def _held() -> list[tuple[DatabaseBackend, Any]] | None:
    held: list[tuple[DatabaseBackend, Any]] | None = getattr(_local, "rows", None)
    return held


def task_enqueue(task: Task[..., Any], **kwargs: Any) -> None:
    """Queue `task` with these keyword arguments: inside tasks_together() in the database's
    queue, its row is written with the others when the block ends."""
    backend = task.get_backend()
    held = _held()
    # (A backend given its own id_function names its rows itself: queued one by one.)
    if (
        held is None
        or not isinstance(backend, DatabaseBackend)
        or backend.options.get("id_function")
    ):
        task.enqueue(**kwargs)
        return
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend.validate_task(task)
    row: Any = DBTaskResult(
        args_kwargs=normalize_json({"args": [], "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        # What the queue's own pre_save does (bulk_create sends no signal): no date is
        # "as soon as possible".
        run_after=task.run_after or get_date_max(),
        backend_name=backend.alias,
    )
    held.append((backend, row))


@contextmanager
def tasks_together() -> Iterator[None]:
    """Within a transaction: the database queue's rows of the tasks queued in the block
    (by task_enqueue) are written in one statement at its end; nothing is written when
    the block raises. A block within another is part of the outer one."""
    if _held() is not None:
        yield
        return
    _local.rows = []
    try:
        yield
        held = _held() or []
    finally:
        _local.rows = None
    if not held:
        return
    from django_tasks_db.compat import task_enqueued
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.bulk_create([row for _backend, row in held])
    for backend, row in held:
        task_enqueued.send(type(backend), task_result=row.task_result)
