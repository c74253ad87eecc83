"""The training API: published programmes with their sessions to come, and enrolment for
partners' systems (mounted by buron.api)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from buron.accounts.auth import api_token_auth
from buron.accounts.models import User
from buron.accounts.requests import signed_in_user
from buron.core.idempotency import idempotent

from . import selectors, services
from .errors import TrainingRefused
from .models import Enrolment, Funding, PartnerOrganisation, Session

router = Router(tags=["trainings"])


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class HalfDayOut(Schema):
    start: dt.datetime
    end: dt.datetime


class SessionOut(Schema):
    id: int
    site: str
    site_name: str
    half_days: list[HalfDayOut]
    places: int
    free: int
    waiting: int
    registration_deadline: dt.datetime
    open: bool


class ProgrammeOut(Schema):
    slug: str
    title: str
    objectives: str
    audience: str
    duration_hours: str
    price: str
    training_body: str
    declaration_number: str
    sessions: list[SessionOut]


class EnrolmentIn(Schema):
    session: int
    organisation: int | None = None
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    france_travail_id: str = ""
    funding: str = Funding.SELF
    funder: int | None = None


class EnrolmentOut(Schema):
    id: int
    session: int
    learner: str
    status: str
    waiting_rank: int


@router.get("/trainings", response=list[ProgrammeOut], summary="Published training programmes")
def training_list(request: HttpRequest) -> list[dict[str, Any]]:
    upcoming = selectors.upcoming_sessions(now=timezone.now())
    found = []
    for programme in selectors.published_programmes().order_by("title", "pk"):
        found.append(
            {
                "slug": programme.slug,
                "title": programme.title,
                "objectives": programme.objectives,
                "audience": programme.audience,
                "duration_hours": str(programme.duration_hours),
                "price": str(programme.price),
                "training_body": programme.training_body.name,
                "declaration_number": programme.training_body.declaration_number,
                "sessions": [
                    {
                        "id": o.session.pk,
                        "site": o.session.site.slug,
                        "site_name": o.session.site.name,
                        "half_days": [
                            {"start": h.starts_at, "end": h.ends_at} for h in o.half_days
                        ],
                        "places": o.session.capacity,
                        "free": o.free,
                        "waiting": o.waiting,
                        "registration_deadline": o.session.registration_deadline,
                        "open": o.open,
                    }
                    for o in upcoming
                    if o.session.programme_id == programme.pk
                ],
            }
        )
    return found


def _errors(exc: ValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        first = next(iter(errors.values()))[0]
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
        first = errors["__all__"][0]
    return {"detail": first, "errors": errors}


def _invalid(field: str, message: str) -> tuple[int, Any]:
    return 422, {"detail": message, "errors": {field: [message]}}


def _enrol(user: User, payload: EnrolmentIn) -> tuple[int, Any]:
    session = Session.objects.filter(pk=payload.session).select_related("programme").first()
    if session is None or not session.programme.is_published:
        return _invalid("session", _("No open session has this id."))
    try:
        if payload.organisation is None:
            enrolment = services.enrolment_create(session=session, learner=user, by=user)
        else:
            organisation = PartnerOrganisation.objects.filter(pk=payload.organisation).first()
            if organisation is None:
                return _invalid("organisation", _("No organisation has this id."))
            funder = None
            if payload.funder is not None:
                funder = PartnerOrganisation.objects.filter(pk=payload.funder).first()
                if funder is None:
                    return _invalid("funder", _("No organisation has this id."))
            if not payload.email:
                return _invalid("email", _("This field is required."))
            enrolment = services.enrolment_create_for_job_seeker(
                session=session,
                organisation=organisation,
                by=user,
                email=payload.email,
                first_name=payload.first_name,
                last_name=payload.last_name,
                france_travail_id=payload.france_travail_id,
                funding=payload.funding,
                funder=funder,
            )
    except ValidationError as exc:
        return 422, _errors(exc)
    return 201, enrolment_out(enrolment)


def enrolment_out(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "session": enrolment.session_id,
        "learner": enrolment.learner.email,
        "status": enrolment.status,
        "waiting_rank": selectors.waiting_rank(enrolment=enrolment),
    }


@router.post(
    "/enrolments",
    auth=api_token_auth,
    response={201: EnrolmentOut, 422: ErrorOut},
    summary="Enrol yourself, or a job seeker on behalf of your organisation",
)
def enrolment_create(request: HttpRequest, payload: EnrolmentIn) -> HttpResponse:
    user = signed_in_user(request)
    status, body = idempotent(request, user, lambda: _enrol(user, payload))
    return HttpResponse(
        DjangoJSONEncoder().encode(body), status=status, content_type="application/json"
    )


__all__ = ["TrainingRefused", "router"]
