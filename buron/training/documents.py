"""The training's PDF documents, rendered with WeasyPrint: attendance sheets, the
certificat de réalisation of a learner, a funder's monthly attendance statement and a
session's survey results."""

from __future__ import annotations

import io
import zipfile
import zoneinfo
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from . import selectors
from .models import (
    Enrolment,
    EnrolmentStatus,
    PartnerOrganisation,
    Programme,
    Session,
    SessionHalfDay,
)


def _render(template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(f"training/pdf/{template}.html", context)
    from weasyprint import HTML  # heavy: imported when a document is made

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def sheet_pdf(*, half_day: SessionHalfDay) -> bytes:
    """The half-day's attendance sheet: each learner's signature with its time and means,
    absences with their reason, late arrivals, early departures, corrections, and the
    trainer's countersignature."""
    session = half_day.session
    sheet, rows = selectors.sheet_rows(half_day=half_day)
    return _render(
        "sheet",
        {
            "half_day": half_day,
            "session": session,
            "programme": session.programme,
            "sheet": sheet,
            "rows": rows,
            "time_zone": session.network.time_zone,
        },
    )


def certificate_pdf(*, enrolment: Enrolment) -> bytes:
    """The certificat de réalisation: the hours the learner attended, from the sheets."""
    session = enrolment.session
    half_days = list(session.half_days.order_by("starts_at"))
    return _render(
        "certificate",
        {
            "enrolment": enrolment,
            "learner": enrolment.learner,
            "session": session,
            "programme": session.programme,
            "body": session.programme.training_body,
            "first": half_days[0] if half_days else None,
            "last": half_days[-1] if half_days else None,
            "hours": selectors.hours_attended(enrolment=enrolment),
            "planned": selectors.hours_planned(session=session),
            "time_zone": session.network.time_zone,
            "issued": timezone.now().astimezone(zoneinfo.ZoneInfo(session.network.time_zone)),
        },
    )


def statement_pdf(*, funder: PartnerOrganisation, year: int, month: int) -> bytes:
    """A funder's monthly statement: per learner, half-days and hours attended."""
    rows = selectors.funder_statement(funder=funder, year=year, month=month)
    return _render(
        "statement",
        {
            "funder": funder,
            "year": year,
            "month": month,
            "rows": rows,
            "total_hours": sum((r.hours for r in rows), 0),
            "total_amount": sum((r.amount for r in rows), 0),
        },
    )


def programme_pdf(*, programme: Programme) -> bytes:
    """The programme as published (objectives, content, methods, accessibility…)."""
    return _render("programme", {"programme": programme})


def survey_pdf(*, session: Session) -> bytes:
    """The session's survey results: response rate, average of each question, comments."""
    return _render(
        "survey",
        {
            "session": session,
            "programme": session.programme,
            "all_results": selectors.session_survey_results(session=session),
        },
    )


def session_evidence_zip(*, session: Session) -> bytes:
    """The quality evidence of a session for a Qualiopi audit, as one zip: the programme,
    each learner's convocation, the attendance sheets, the certificates and the survey
    results."""
    tz = zoneinfo.ZoneInfo(session.network.time_zone)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("programme.pdf", programme_pdf(programme=session.programme))
        archive.writestr("survey-results.pdf", survey_pdf(session=session))
        enrolments = list(
            Enrolment.objects.filter(session=session, status=EnrolmentStatus.CONFIRMED)
            .select_related("learner", "session__programme__training_body", "session__site")
            .order_by("learner__last_name", "learner__first_name", "pk")
        )
        half_days = list(session.half_days.order_by("starts_at"))
        for enrolment in enrolments:
            name = slugify(f"{enrolment.learner.last_name} {enrolment.learner.first_name}")
            name = f"{name or 'learner'}-{enrolment.pk}"
            archive.writestr(
                f"convocations/{name}.txt",
                render_to_string(
                    "training/email/convocation.txt",
                    {
                        "enrolment": enrolment,
                        "session": session,
                        "programme": session.programme,
                        "site": session.site,
                        "half_days": half_days,
                        "time_zone": session.network.time_zone,
                        "site_url": settings.SITE_URL,
                    },
                ),
            )
            archive.writestr(f"certificates/{name}.pdf", certificate_pdf(enrolment=enrolment))
        for half_day in half_days:
            local = half_day.starts_at.astimezone(tz)
            archive.writestr(
                f"sheets/{local:%Y-%m-%d}-{half_day.period}.pdf", sheet_pdf(half_day=half_day)
            )
    return buffer.getvalue()
