"""The check-in API for door systems, kiosks and members' apps (mounted by buron.api).

`POST /checkins` checks in the caller themselves at a published site, or, for a site's
staff (a door system's account), a member given by email or a walk-in given by status and
commune. A check-in carries a client UUID, recorded once: a replay answers 200 with the
visit already recorded. `Idempotency-Key` is honoured as for bookings.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from buron.accounts.auth import api_token_auth
from buron.accounts.models import User, VisitorStatus
from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import staff_scope
from buron.booking.selectors import managed_sites
from buron.core.idempotency import idempotent
from buron.core.parsing import choice_from_text, datetime_from_text, echoed
from buron.places.models import Commune, Site

from . import services
from .models import Visit, VisitSource

router = Router(tags=["check-ins"])


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class CheckinIn(Schema):
    site: str | None = Field(None, description="Site slug.")
    client_uuid: str | None = Field(
        None, description="A UUID made by the client: the same check-in sent twice counts once."
    )
    arrived_at: str | None = Field(
        None, description="ISO 8601 with offset, when recorded offline; default now."
    )
    member: str | None = Field(None, description="Staff only: the member's email.")
    status: str | None = Field(None, description="Staff only, for a walk-in: visitor status.")
    commune: str | None = Field(None, description="For a walk-in: INSEE code of residence.")
    work_commune: str | None = Field(
        None, description="For a walk-in, optional: INSEE code of the usual workplace."
    )


class VisitOut(Schema):
    id: int
    site: str
    day: dt.date
    arrived_at: dt.datetime
    source: str
    member: str | None
    booking: int | None
    visitor_status: str
    km_avoided: str | None
    co2_kg_avoided: str | None


def visit_out(visit: Visit, site: Site, member: User | None) -> dict[str, Any]:
    """A visit as the API gives it; times in UTC."""
    return {
        "id": visit.pk,
        "site": site.slug,
        "day": visit.day.isoformat(),
        "arrived_at": visit.arrived_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "source": visit.source,
        "member": member.email if member is not None and visit.member_id == member.pk else None,
        "booking": visit.booking_id,
        "visitor_status": visit.visitor_status,
        "km_avoided": str(visit.km_avoided) if visit.km_avoided is not None else None,
        "co2_kg_avoided": str(visit.co2_kg_avoided) if visit.co2_kg_avoided is not None else None,
    }


def _unprocessable(errors: dict[str, list[str]]) -> tuple[int, Any]:
    return 422, {"detail": next(iter(errors.values()))[0], "errors": errors}


def _commune(code: str | None, field: str, errors: dict[str, list[str]]) -> Commune | None:
    if not code:
        return None
    found = Commune.objects.filter(insee_code=code.strip().upper()).first()
    if found is None:
        errors[field] = [_("Unknown INSEE code “%(code)s”.") % {"code": code}]
    return found


@dataclass
class _Fields:
    """The check-in's fields once parsed (errors go apart, per field)."""

    client_uuid: uuid.UUID | None
    arrived_at: dt.datetime
    status: str
    home: Commune | None
    work: Commune | None
    member: User | None


def _uuid(payload: CheckinIn, errors: dict[str, list[str]]) -> uuid.UUID | None:
    if not payload.client_uuid:
        errors["client_uuid"] = [_("This field is required.")]
        return None
    try:
        return uuid.UUID(payload.client_uuid)
    except ValueError:
        errors["client_uuid"] = [_("Give a UUID, e.g. 9f1c2d3e-4b5a-4c6d-8e7f-001122334455.")]
        return None


def _when(payload: CheckinIn, errors: dict[str, list[str]]) -> dt.datetime:
    if payload.arrived_at:
        try:
            return datetime_from_text(payload.arrived_at)
        except ValidationError as exc:
            errors["arrived_at"] = exc.messages
    return timezone.now()


def _who(user: User, payload: CheckinIn, errors: dict[str, list[str]]) -> tuple[str, User | None]:
    """The walk-in's status (empty for a member), and the member checked in."""
    if payload.member and payload.status:
        errors["status"] = [_("Give either a member or a walk-in's status, not both.")]
    status = ""
    if payload.status is not None:
        try:
            status = choice_from_text(payload.status, VisitorStatus.values)
        except ValidationError as exc:
            errors["status"] = exc.messages
        if not payload.commune:
            errors["commune"] = [_("Give the visitor's commune of residence.")]
    member: User | None = user
    if payload.member:
        member = User.objects.filter(email__iexact=payload.member.strip(), is_active=True).first()
        if member is None:
            errors["member"] = [_("No member has this email address.")]
    return status, member


def _fields(user: User, payload: CheckinIn, errors: dict[str, list[str]]) -> _Fields:
    if not payload.site:
        errors["site"] = [_("This field is required.")]
    client_uuid = _uuid(payload, errors)
    arrived_at = _when(payload, errors)
    status, member = _who(user, payload, errors)
    home = _commune(payload.commune, "commune", errors)
    work = _commune(payload.work_commune, "work_commune", errors)
    return _Fields(client_uuid, arrived_at, status, home, work, member)


def _site(
    user: User, payload: CheckinIn, errors: dict[str, list[str]]
) -> Site | tuple[int, Any] | None:
    """The site: one the caller manages when they check in someone else (else 403 or 404),
    any published one when they check themselves in."""
    if not payload.site:
        return None
    if payload.member is not None or payload.status is not None:
        scope = staff_scope(user=user)
        if not scope.is_staff:
            return 403, {
                "detail": _("Only a site's staff may check in someone else."),
                "errors": {},
            }
        site = (
            managed_sites(scope=scope).select_related("network").filter(slug=payload.site).first()
        )
        if site is None:
            return 404, {"detail": _("You manage no site with this short name."), "errors": {}}
        return site
    site = (
        Site.objects.select_related("network").filter(slug=payload.site, is_published=True).first()
    )
    if site is None:
        errors["site"] = [
            _("No published site has the short name “%(slug)s”.") % {"slug": echoed(payload.site)}
        ]
    return site


def _create(user: User, payload: CheckinIn) -> tuple[int, Any]:
    errors: dict[str, list[str]] = {}
    fields = _fields(user, payload, errors)
    site = _site(user, payload, errors)
    if isinstance(site, tuple):
        return site
    member, client_uuid = fields.member, fields.client_uuid
    if errors or site is None or client_uuid is None or member is None:
        return _unprocessable(errors or {"__all__": [_("The request is not valid.")]})
    try:
        if payload.status is not None:
            result = services.visit_walk_in(
                site=site,
                visitor_status=fields.status,
                home_commune=fields.home,
                work_commune=fields.work,
                arrived_at=fields.arrived_at,
                client_uuid=client_uuid,
                by=user,
            )
        else:
            result = services.visit_checkin(
                site=site,
                member=member,
                arrived_at=fields.arrived_at,
                client_uuid=client_uuid,
                source=VisitSource.API,
                by=user if member.pk != user.pk else None,
            )
    except services.CheckinRefused as exc:
        return _unprocessable(
            {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        )
    return (201 if result.created else 200), visit_out(result.visit, site, member)


@router.post(
    "/checkins",
    auth=api_token_auth,
    response={200: VisitOut, 201: VisitOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Check in (yourself, a member, or a walk-in); the same client_uuid counts once",
)
def checkin_create(request: HttpRequest, payload: CheckinIn) -> Status[Any]:
    user = signed_in_user(request)
    return Status(*idempotent(request, user, lambda: _create(user, payload)))
