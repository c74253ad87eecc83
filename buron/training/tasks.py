"""Background work of the training app: emails to learners, and the deadline check that
confirms or cancels the sessions whose registration closed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from .models import Enrolment


def _send(template: str, enrolment: Enrolment, language: str, **extra: object) -> None:
    with translation.override(language):
        context = {
            "enrolment": enrolment,
            "session": enrolment.session,
            "programme": enrolment.session.programme,
            "site": enrolment.session.site,
            "half_days": list(enrolment.session.half_days.all()),
            "time_zone": enrolment.session.network.time_zone,
            "site_url": settings.SITE_URL,
            **extra,
        }
        subject = render_to_string(f"training/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"training/email/{template}.txt", context)
    send_mail(subject, body, None, [enrolment.learner.email])


def _enrolments(ids: list[int]) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(pk__in=ids)
        .select_related("learner", "session__programme", "session__site", "session__network")
        .order_by("pk")
    )


@task()
def training_convocation_send(*, enrolment_ids: list[int], language: str) -> int:
    """Email each learner their convocation: place, dates, what to bring, access."""
    found = _enrolments(enrolment_ids)
    for enrolment in found:
        _send("convocation", enrolment, language)
    return len(found)


@task()
def training_waiting_send(*, enrolment_ids: list[int], language: str) -> int:
    """Tell each learner they are on the session's waiting list, and their rank."""
    found = _enrolments(enrolment_ids)
    for enrolment in found:
        from .selectors import waiting_rank

        _send("waiting", enrolment, language, rank=waiting_rank(enrolment=enrolment))
    return len(found)


@task()
def training_cancellation_send(*, enrolment_ids: list[int], language: str) -> int:
    """Tell everyone enrolled or waiting that their session was cancelled."""
    found = _enrolments(enrolment_ids)
    for enrolment in found:
        _send("cancelled", enrolment, language)
    return len(found)


@task()
def training_sessions_due_check() -> int:
    """Confirm, or cancel when still below their minimum, the sessions whose registration
    deadline has passed (enqueued for each session's deadline; safe to run at any time)."""
    from .services import sessions_due_check

    return len(sessions_due_check(now=timezone.now()))
