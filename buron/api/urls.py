"""The REST API under /api/v1/: one router per domain app, assembled here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled, ValidationError

from buron.attendance.api import router as attendance_router
from buron.billing.api import router as billing_router
from buron.booking.api import router as booking_router
from buron.observatory.api import router as observatory_router
from buron.offers.api import router as offers_router
from buron.places.api import router as places_router
from buron.training.api import router as training_router

from .throttling import TokenRateThrottle

api = NinjaAPI(
    title="Buron API",
    version="1",
    description=(
        "Sites, availability and bookings of a network of rural third places. "
        "Authenticate with `Authorization: Bearer TOKEN` (a personal token: "
        "`manage.py api_token_create --email E`). POSTs that create accept an "
        "`Idempotency-Key` header: the same key and body replay the first answer."
    ),
    urls_namespace="api",
    throttle=[TokenRateThrottle()],
)
api.add_router("/", places_router)
api.add_router("/", booking_router)
api.add_router("/", attendance_router)
api.add_router("/", observatory_router)
api.add_router("/", billing_router)
api.add_router("/", training_router)
api.add_router("/", offers_router)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed input: 422 with a message per field, in the user's language."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "payload", "query", "path")
        ]
        field = ".".join(location) or "__all__"
        errors.setdefault(field, []).append(_("This value is not valid."))
    detail = next(iter(errors.values()))[0] if errors else _("The request is not valid.")
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("A valid API token is required: Authorization: Bearer TOKEN.")},
        status=401,
    )


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """Too many calls: 429, and Retry-After (added by django-ninja) says when to come back."""
    return api.create_response(
        request, {"detail": _("Too many requests: wait before calling again.")}, status=429
    )


urlpatterns = [path("", api.urls)]
