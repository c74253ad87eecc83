"""A learner's right to their data: their enrolments and signatures in the export; on
closing the account, their enrolments in sessions still to come are cancelled (the places
go to the waiting list). Attendance sheets already signed are kept: they prove to funders
and auditors who attended."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from buron.accounts.models import User

from ..models import AttendanceLine, Enrolment, EnrolmentStatus
from .enrolments import enrolment_cancel


def learner_trainings_export(user: User) -> list[dict[str, Any]]:
    """The learner's enrolments, with the half-days they signed (time and means)."""
    found = []
    for enrolment in Enrolment.objects.filter(learner=user).select_related(
        "session__programme", "session__site", "organisation"
    ):
        lines = AttendanceLine.objects.filter(enrolment=enrolment).select_related("sheet__half_day")
        found.append(
            {
                "programme": enrolment.session.programme.title,
                "site": enrolment.session.site.name,
                "status": enrolment.status,
                "enrolled_through": enrolment.organisation.name if enrolment.organisation else "",
                "france_travail_id": enrolment.france_travail_id,
                "funding": enrolment.funding,
                "created_at": enrolment.created_at.isoformat(),
                "attendance": [
                    {
                        "half_day": line.sheet.half_day.starts_at.isoformat(),
                        "presence": line.presence,
                        "signed_at": line.signed_at.isoformat() if line.signed_at else None,
                        "means": line.signature_means,
                        "absence_reason": line.absence_reason,
                    }
                    for line in lines
                ],
            }
        )
    return found


def learner_trainings_forget(user: User) -> None:
    """Cancel the learner's enrolments in sessions that have not started, and forget their
    France Travail identifier on every enrolment (the signed sheets and certificates stay:
    they are the training body's evidence of attendance, kept as the law requires)."""
    now = timezone.now()
    live = Enrolment.objects.filter(learner=user).exclude(status=EnrolmentStatus.CANCELLED)
    for enrolment in live.exclude(session__half_days__starts_at__lte=now).distinct():
        enrolment_cancel(enrolment=enrolment, by=user, now=now)
    Enrolment.objects.filter(learner=user).exclude(france_travail_id="").update(
        france_travail_id=""
    )
