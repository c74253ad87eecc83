"""Structured logs: a request id on every line, JSON lines when `LOG_FORMAT=json`.

The request id comes from the client's or proxy's `X-Request-ID` header when it looks sane
(letters, digits and `._:-`, at most 128 characters), otherwise it is generated; it is sent
back in the answer's `X-Request-ID` header so that a person reporting a problem can quote it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

access_log = logging.getLogger("buron.request")

# Attributes every LogRecord has; anything else was passed with `extra=` and is kept.
# Django's own `request` extra (the whole request object, query string included) is left out.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "request",
    "server_time",
}


def request_id_current() -> str:
    """The id of the request being served in this thread or task ("-" outside requests)."""
    return _request_id.get()


def request_id_from(header: str | None) -> str:
    """The client's id when sane, else a new one."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (for plain formats and for the JSON one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _request_id_clear(**kwargs: Any) -> None:
    _request_id.set("-")


class RequestIdMiddleware:
    """Gives each request an id, logs one line per answer (`buron.request`, INFO).

    The id stays set until the answer is sent (`request_finished`), so that what Django
    logs after the middleware has returned (`django.request`'s 4xx and 5xx lines) has it too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        request_finished.connect(_request_id_clear, dispatch_uid="buron_request_id_clear")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        _request_id.set(request_id)
        began = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - began) * 1000, 1),
            },
        )
        return response
