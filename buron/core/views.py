"""Probes for load balancers and orchestrators (no session, no language, no personal data)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import readiness_check


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: 200 when every check passes, 503 with the failing ones otherwise."""
    readiness = readiness_check()
    return JsonResponse(
        {"status": "ok" if readiness.ready else "unavailable", "checks": readiness.checks},
        status=200 if readiness.ready else 503,
    )
