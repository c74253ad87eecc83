"""Idempotency-Key on POSTs that create: the same key and body replay the first answer.

The key is reserved before the work is done, so two concurrent requests with one key never
both create; the second is told to retry while the first is still running.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

IN_PROGRESS = 0
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
        if existing.status_code == IN_PROGRESS:
            return 409, {"detail": _("A request with this Idempotency-Key is still running.")}
        return existing.status_code, existing.body
    try:
        status, body = handler()
    except BaseException:
        record.delete()
        raise
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=status, body=json.loads(json.dumps(body, default=str))
    )
    return status, body
