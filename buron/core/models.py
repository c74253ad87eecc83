from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer given to a POST with an Idempotency-Key, replayed for the same key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """When a background worker (`manage.py db_worker`) last looked for work.

    One row per worker process, keyed by its random id; `/readyz` reads the newest. Holds no
    personal data.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} {self.seen_at:%Y-%m-%d %H:%M:%S}"


class RateCounter(models.Model):
    """How many calls one client (an API token, say) made in the current window of a rate
    limit. One row per client, counted up by one statement shared by every process."""

    name = models.CharField(max_length=100, primary_key=True)
    window_start = models.BigIntegerField()
    calls = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.calls}"
