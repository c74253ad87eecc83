"""Queue the training app's emails with the transaction that decided them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import get_language
from django_tasks_db import DatabaseBackend


def enqueue(task: Any, **kwargs: Any) -> None:
    """In the database's queue the task is written in the caller's transaction (it commits
    or rolls back with it); any other queue is handed the task once it committed."""
    kwargs.setdefault("language", get_language() or "fr")

    def send() -> None:
        task.enqueue(**kwargs)

    if isinstance(task.get_backend(), DatabaseBackend):
        send()
    else:
        transaction.on_commit(send)
