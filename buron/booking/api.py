"""The booking API: availability, and a member's bookings (mounted by buron.api)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from buron.accounts.auth import api_token_auth
from buron.accounts.models import User
from buron.accounts.requests import signed_in_user
from buron.core.idempotency import idempotent
from buron.core.parsing import (
    choice_from_text,
    date_from_text,
    datetime_from_text,
    echoed,
    is_slug,
)
from buron.employers.selectors import payers_for_bookings
from buron.employers.services import PayerRefused, payer_choice_parse
from buron.offers.selectors import coverage_for_bookings
from buron.places.models import Commune, ResourceKind, Site
from buron.places.selectors import published_site

from . import selectors, services
from .errors import BookingRefused, SlotTaken
from .models import Booking, Period
from .payer import payer_choices
from .site_rules import published_site_day

router = Router(tags=["bookings"])

PERIODS = [Period.MORNING.value, Period.AFTERNOON.value, Period.DAY.value]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class AlternativeOut(Schema):
    site: str
    site_name: str
    date: str
    period: str
    free: int


class TakenOut(Schema):
    detail: str
    alternatives: list[AlternativeOut] = Field(default_factory=list)


class FreeResourceOut(Schema):
    id: int
    name: str
    kind: str
    capacity: int
    free_hours: list[str] | None = None


class SiteAvailabilityOut(Schema):
    site: str
    name: str
    commune: str
    free: int
    resources: list[FreeResourceOut]
    closed_because: str | None = None
    not_bookable_because: str | None = Field(
        None,
        description="Open, but nothing can be booked: the time is over, or beyond the "
        "booking horizon (the reason a booking would be refused with).",
    )
    distance_km: float | None = None


class AvailabilityQuery(Schema):
    date: str | None = Field(None, description="YYYY-MM-DD.")
    period: str | None = Field(None, description="am, pm or day.")
    site: str | None = Field(None, description="A site's short name: that site only.")
    kind: str | None = Field(None, description="desk (default), private_office, meeting_room…")
    near: str | None = Field(None, description="INSEE code: sort by distance from it.")


class BookingIn(Schema):
    site: str | None = Field(
        None, max_length=100, description="Site slug: a free desk is assigned."
    )
    date: str | None = Field(None, max_length=40, description="YYYY-MM-DD, with site.")
    period: str | None = Field(None, max_length=20, description="am, pm or day, with site.")
    kind: str | None = Field(
        None, max_length=40, description="desk (default) or private_office, with site."
    )
    resource: int | None = Field(None, description="A resource id, with start and end.")
    start: str | None = Field(
        None, max_length=64, description="ISO 8601 with offset, with resource."
    )
    end: str | None = Field(None, max_length=64, description="ISO 8601 with offset, with resource.")
    payer: str | None = Field(
        None,
        max_length=40,
        description="Who pays: member, employer (the default one) or employer:<organisation "
        "id>; empty: the member's remembered choice.",
    )


class BookingOut(Schema):
    id: int
    resource: int
    resource_name: str
    site: str
    start: dt.datetime
    end: dt.datetime
    period: str
    status: str
    covered_by: str | None = Field(
        None,
        description="What pays for it: subscription, carnet, pass (bought ahead), "
        "welcome_pack, service_pack (room hours), employer_contract or pay_as_you_go (null "
        "for what rights do not cover, e.g. a room by the hour without a pack of hours).",
    )
    payer: str = Field("member", description="Who pays: member, employer or nobody.")
    amount_incl_vat: str | None = Field(
        None,
        description='Pay-as-you-go: the amount due incl. VAT, e.g. "12.00" (null when a '
        "right covers it).",
    )


def _errors(exc: ValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        first = next(iter(errors.values()))[0]
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
        first = errors["__all__"][0]
    return {"detail": first, "errors": errors}


def booking_out(booking: Booking) -> dict[str, Any]:
    """A booking as the API gives it; times in UTC, as read back from the database (a
    booking just made holds them in its network's zone)."""
    return {
        "id": booking.pk,
        "resource": booking.resource_id,
        "resource_name": booking.resource.label,
        "site": booking.site.slug,
        "start": booking.start.astimezone(dt.UTC),
        "end": booking.end.astimezone(dt.UTC),
        "period": booking.period,
        "status": booking.status,
        "covered_by": booking.outcome.get("covered_by"),
        "payer": booking.outcome.get("payer", "member"),
        "amount_incl_vat": booking.outcome.get("amount_incl_vat"),
    }


_DJANGO_JSON = DjangoJSONEncoder()


def _json_default(value: Any) -> Any:
    return _DJANGO_JSON.default(value)


def json_response(status: int, body: Any) -> HttpResponse:
    """An answer written out directly, its shape documented by the route's schemas (and
    checked against them by the tests): on the booking's hot path, validating the answer
    again on the way out costs a tenth of a refusal's time. Times and dates are written as
    the rest of the API writes them (Django's JSON encoder); keys in alphabetical order, so
    that a replayed answer (kept in a JSON column, which on PostgreSQL keeps no order) is
    the same bytes as the first."""
    return HttpResponse(
        orjson.dumps(
            body,
            default=_json_default,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_SORT_KEYS,
        ),
        status=status,
        content_type="application/json",
    )


@router.get(
    "/availability",
    response={200: list[SiteAvailabilityOut], 422: ErrorOut},
    summary="Free resources per site for a day and period",
)
def availability(
    request: HttpRequest, query: Query[AvailabilityQuery]
) -> Status[Any] | HttpResponse:
    date, period, site, kind, near = query.date, query.period, query.site, query.kind, query.near
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, parse in (
        ("date", lambda: date_from_text(date)),
        ("period", lambda: choice_from_text(period, PERIODS)),
        ("kind", lambda: choice_from_text(kind, ResourceKind.values, default="desk")),
    ):
        try:
            values[name] = parse()
        except ValidationError as exc:
            errors[name] = exc.messages
    sites = None  # every site
    if site:
        sites = Site.objects.filter(slug=site)
        if not is_slug(site) or not sites.filter(is_published=True).exists():
            errors["site"] = [
                _("No published site has the short name “%(slug)s”.") % {"slug": echoed(site)}
            ]
    origin = None
    if near:
        commune = Commune.objects.filter(insee_code=near).first() if is_slug(near) else None
        if commune is None:
            errors["near"] = [_("Unknown INSEE code “%(code)s”.") % {"code": echoed(near)}]
        else:
            origin = (float(commune.latitude), float(commune.longitude))
    if errors:
        return Status(422, {"detail": next(iter(errors.values()))[0], "errors": errors})
    results = selectors.availability(
        day=values["date"], period=values["period"], kind=values["kind"], sites=sites, near=origin
    )
    # Written out directly with orjson (the shape above documents it): across a national
    # network the answer lists thousands of sites, and validating each object again, then
    # encoding it with the standard library, costs more than the search itself. A desk's
    # FreeResource has the fields of FreeResourceOut and is encoded as it is.
    return HttpResponse(
        orjson.dumps(
            [
                {
                    "site": r.site.slug,
                    "name": r.site.name,
                    "commune": r.site.commune_name,
                    "free": r.free_count,
                    "resources": [
                        f
                        if f.free_hours is None
                        else {**asdict(f), "free_hours": [f"{h:02d}:00" for h in f.free_hours]}
                        for f in r.free
                    ],
                    "closed_because": r.closed_because,
                    "not_bookable_because": r.not_bookable_because,
                    "distance_km": r.distance_km,
                }
                for r in results
            ]
        ),
        content_type="application/json",
    )


def _invalid(errors: dict[str, list[str]]) -> tuple[int, Any]:
    return 422, {"detail": next(iter(errors.values()))[0], "errors": errors}


def _parsed(parsers: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """Each field's parsed value; each field's messages into errors."""
    values: dict[str, Any] = {}
    for name, parse in parsers.items():
        try:
            values[name] = parse()
        except ValidationError as exc:
            errors[name] = exc.messages
    return values


def _create_hours(user: User, payload: BookingIn) -> Booking | tuple[int, Any]:
    """The {resource, start, end} shape: parsed here, booked by booking_create_hours."""
    errors: dict[str, list[str]] = {
        name: [_("Give either site, date and period, or resource, start and end.")]
        for name in ("site", "date", "period")
        if getattr(payload, name)
    }
    resource = selectors.bookable_resource(resource_id=payload.resource)
    if resource is None:
        errors["resource"] = [_("No bookable resource has this id.")]
    values = _parsed(
        {
            "start": lambda: datetime_from_text(payload.start),
            "end": lambda: datetime_from_text(payload.end),
        },
        errors,
    )
    choices = _payer(payload, errors)
    if errors or resource is None:
        return _invalid(errors)
    return services.booking_create_hours(
        member=user, resource=resource, start=values["start"], end=values["end"], choices=choices
    )


def _payer(payload: BookingIn, errors: dict[str, list[str]]) -> dict[str, str]:
    """The payer asked for, checked (its message into errors), as the booking's choices."""
    try:
        payer_choice_parse(payload.payer)
    except PayerRefused as exc:
        errors["payer"] = exc.messages
        return {}
    return payer_choices(payload.payer)


def _create_half_day(user: User, payload: BookingIn) -> Booking | tuple[int, Any]:
    """The {site, date, period[, kind]} shape: parsed here, booked by
    booking_create_half_day (a free desk or office is assigned)."""
    errors: dict[str, list[str]] = {}
    values = _parsed(
        {
            "date": lambda: date_from_text(payload.date),
            "period": lambda: choice_from_text(payload.period, PERIODS),
            "kind": lambda: choice_from_text(
                payload.kind,
                [ResourceKind.DESK.value, ResourceKind.PRIVATE_OFFICE.value],
                default="desk",
            ),
        },
        errors,
    )
    choices = _payer(payload, errors)
    if not payload.site:
        return _invalid({"site": [_("This field is required.")], **errors})
    # With a valid date, the site comes with its rules that day (one read).
    site_day = None
    if not is_slug(payload.site):
        site = None
    elif "date" in values:
        site_day = published_site_day(payload.site, values["date"])
        site = site_day.site if site_day else None
    else:
        site = published_site(payload.site)
    if site is None:
        unknown = _("No published site has the short name “%(slug)s”.") % {
            "slug": echoed(payload.site)
        }
        errors = {"site": [unknown], **errors}
    if errors or site is None:
        return _invalid(errors)
    return services.booking_create_half_day(
        member=user,
        site=site,
        day=values["date"],
        period=values["period"],
        kind=values["kind"],
        rules=site_day.rules if site_day else None,
        choices=choices,
    )


def _create(user: User, payload: BookingIn) -> tuple[int, Any]:
    shape = _create_hours if payload.resource is not None else _create_half_day
    try:
        result = shape(user, payload)
    except BookingRefused as exc:
        return 422, _errors(exc)
    except SlotTaken as exc:
        return 409, {
            "detail": exc.message,
            "alternatives": [
                {
                    "site": a.site_slug,
                    "site_name": a.site_name,
                    "date": a.day,
                    "period": a.period,
                    "free": a.free,
                }
                for a in exc.alternatives
            ],
        }
    if isinstance(result, tuple):
        return result
    return 201, booking_out(result)


@router.post(
    "/bookings",
    auth=api_token_auth,
    response={201: BookingOut, 409: TakenOut, 422: ErrorOut},
    summary="Book a desk (site, date, period) or a resource (resource, start, end)",
)
def booking_create(request: HttpRequest, payload: BookingIn) -> HttpResponse:
    user = signed_in_user(request)
    return json_response(*idempotent(request, user, lambda: _create(user, payload)))


@router.get("/bookings", auth=api_token_auth, response=list[BookingOut], summary="My bookings")
def booking_list(request: HttpRequest, upcoming: bool = False) -> list[dict[str, Any]]:
    user = signed_in_user(request)
    qs = Booking.objects.filter(member=user, kind="booking").select_related("site", "resource")
    if upcoming:
        qs = qs.filter(Q(end__gt=timezone.now()), status="active")
    bookings = list(qs.order_by("start"))
    covered = coverage_for_bookings(booking_ids=[b.pk for b in bookings])
    paid = payers_for_bookings(booking_ids=[b.pk for b in bookings if b.employer_name])
    for booking in bookings:
        if booking.pk in covered:
            booking.outcome.update(covered[booking.pk].outcome())
        booking.outcome.update(paid.get(booking.pk, {}))
    return [booking_out(b) for b in bookings]


@router.delete(
    "/bookings/{booking_id}",
    auth=api_token_auth,
    response={200: BookingOut, 404: ErrorOut, 422: ErrorOut},
    summary="Cancel one of my bookings",
)
def booking_delete(request: HttpRequest, booking_id: int) -> Status[Any]:
    user = signed_in_user(request)
    booking = (
        Booking.objects.select_related("site", "resource")
        .filter(pk=booking_id, member=user)
        .first()
    )
    if booking is None:
        return Status(404, {"detail": _("You have no booking with this id."), "errors": {}})
    try:
        booking = services.booking_cancel(booking=booking, by=user)
    except BookingRefused as exc:
        return Status(422, _errors(exc))
    return Status(200, booking_out(booking))
