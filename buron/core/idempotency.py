"""Idempotency-Key on POSTs that create: the same key and body replay the first answer.

The key, the work and the answer are written in one transaction: two concurrent requests
with one key never both create (the second waits, then replays the first answer), and a
crash leaves no key behind. Answers are kept a week (`manage.py idempotency_purge`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

IN_PROGRESS = 0  # only ever seen inside the transaction that does the work
KEEP_FOR = dt.timedelta(days=7)
MAX_KEY_LENGTH = 200

Result = tuple[int, Any]


def _digest(request: HttpRequest) -> str:
    try:
        body: Any = json.loads(request.body or b"null")
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = request.body
    return hashlib.sha256(
        (request.method or "").encode() + request.path.encode() + canonical
    ).hexdigest()


def idempotent(request: HttpRequest, user: Any, handler: Callable[[], Result]) -> Result:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return handler()
    if len(key) > MAX_KEY_LENGTH:
        return 422, {
            "detail": _("The Idempotency-Key header is longer than %(max)s characters.")
            % {"max": MAX_KEY_LENGTH},
            "errors": {"Idempotency-Key": [_("Too long.")]},
        }
    digest = _digest(request)
    # One transaction for the key, the work and its answer: a concurrent request with the
    # same key waits on the key's unique index until this one commits (or rolls back), so
    # the work is done once and no key is ever left half-done by a crash.
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, request_digest=digest, status_code=IN_PROGRESS, body={}
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(user=user, key=key)
            if existing.request_digest != digest:
                return 422, {
                    "detail": _("This Idempotency-Key was already used with another request."),
                    "errors": {"Idempotency-Key": [_("Already used with another request.")]},
                }
            return existing.status_code, existing.body
        status, body = handler()
        record.status_code = status
        # Kept as the JSON the first answer was written as, so a replay writes it again.
        record.body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
        record.save(update_fields=["status_code", "body"])
    return status, body


def idempotency_purge(*, older_than: dt.timedelta = KEEP_FOR) -> int:
    """Forget the answers older than `older_than` (clients retry within minutes)."""
    deleted, _count = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
