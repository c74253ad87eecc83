"""Background work of the training app: emails to learners, and the deadline check that
confirms or cancels the sessions whose registration closed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
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


@task()
def training_survey_send(*, invitation_ids: list[int], reminder: bool, language: str) -> int:
    """Email each learner their personal survey link (an invitation, or a reminder), in
    their own language; an invitation answered meanwhile gets nothing."""
    from buron.accounts.models import MemberProfile
    from buron.core.emails import email_render, email_send_now

    from .models import SurveyInvitation
    from .services.surveys import survey_token

    found = list(
        SurveyInvitation.objects.filter(pk__in=invitation_ids, answered_at__isnull=True)
        .select_related(
            "enrolment__learner", "survey__session__programme", "survey__session__network"
        )
        .order_by("pk")
    )
    languages = dict(
        MemberProfile.objects.filter(
            user_id__in=[i.enrolment.learner_id for i in found]
        ).values_list("user_id", "language")
    )
    for invitation in found:
        learner = invitation.enrolment.learner
        session = invitation.survey.session
        with translation.override(languages.get(learner.pk) or language):
            message = email_render(
                prefix="training/email/survey",
                context={
                    "learner": learner,
                    "survey": invitation.survey,
                    "programme": session.programme,
                    "reminder": reminder,
                    "link": settings.SITE_URL
                    + reverse(
                        "training:survey", kwargs={"token": survey_token(invitation=invitation)}
                    ),
                },
            )
        email_send_now(to=[learner.email], message=message, sender_name=session.network.name)
    return len(found)


@task()
def training_surveys_due() -> int:
    """Open the surveys that are due and send the reminders (schedule it daily)."""
    from .services.surveys import surveys_due

    run = surveys_due(now=timezone.now())
    return run.opened + run.reminded
