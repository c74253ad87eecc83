"""The project's URLs, plus /bench/minimal: the smallest view Django can serve."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as project_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    """The reference every throughput figure is divided by: full middleware, no query."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/minimal", minimal, name="bench-minimal"),
    *project_urlpatterns,
]
