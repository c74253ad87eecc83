"""Error reporting through a configurable adapter: Sentry's SDK when `SENTRY_DSN` is set.

Without a DSN nothing is sent anywhere (errors still go to the logs). The SDK is told not
to send personal data: no user, no cookies, no request bodies, no local variables; events
carry the request id so a report and a log line can be matched.
"""

from __future__ import annotations

from typing import Any

from .logs import request_id_current


def _scrub(event: Any, hint: Any) -> Any:
    """Remove what could identify a person before an event leaves the machine."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                k: v for k, v in headers.items() if k.lower() in {"user-agent", "x-request-id"}
            }
    event.setdefault("tags", {})["request_id"] = request_id_current()
    return event


def error_reporting_configure(
    *, dsn: str, environment: str = "production", release: str | None = None
) -> bool:
    """Start reporting errors to `dsn` (Sentry or a compatible server); False when empty."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": ["user-agent"]}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        traces_sample_rate=0.0,
        before_send=_scrub,
    )
    return True
