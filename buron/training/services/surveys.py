"""Satisfaction surveys: opened when a session ends (and a follow-up some months later),
each learner invited by email with a personal link (a signed token, answered once, no login
needed), reminded until they answer or the survey closes."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import User

from .. import tasks
from ..errors import refusal
from ..models import (
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionStatus,
    Survey,
    SurveyInvitation,
    SurveyKind,
    SurveyRating,
    SurveyResponse,
)
from ..questionnaire import HIGHEST, LOWEST, survey_items
from .notify import enqueue

TOKEN_SALT = "buron.training.survey"  # noqa: S105 (a signing salt, not a secret)
# A survey stays open this long after its invitations; a session found later than this
# after its end (or its follow-up date) gets no survey.
OPEN_FOR = dt.timedelta(days=30)
REMIND_AFTER = dt.timedelta(days=7)
MAX_REMINDERS = 2
MAX_COMMENT = 4000


def survey_token(*, invitation: SurveyInvitation) -> str:
    """The personal link's token: the invitation and its nonce, signed with the secret key."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=TOKEN_SALT)


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month, day=day)


def _ended_sessions(ended_after: dt.datetime, ended_by: dt.datetime) -> list[Session]:
    return list(
        Session.objects.exclude(status=SessionStatus.CANCELLED)
        .annotate(last_end=Max("half_days__ends_at"))
        .filter(last_end__gt=ended_after, last_end__lte=ended_by)
        .select_related("programme")
    )


def _attendees(session: Session) -> list[Enrolment]:
    """Learners who attended some of the session (a learner never seen cannot judge it)."""
    from ..selectors import hours_attended

    enrolments = Enrolment.objects.filter(session=session, status=EnrolmentStatus.CONFIRMED)
    return [e for e in enrolments.order_by("pk") if hours_attended(enrolment=e) > 0]


def survey_open(*, session: Session, kind: str, now: dt.datetime) -> Survey | None:
    """Open the session's survey of that kind and invite its learners (their emails are
    queued); None when it was already open (running twice is harmless)."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if Survey.objects.filter(session=locked, kind=kind).exists():
            return None
        survey = Survey.objects.create(
            session=locked, kind=kind, opened_at=now, closes_at=now + OPEN_FOR
        )
        invitations = SurveyInvitation.objects.bulk_create(
            SurveyInvitation(survey=survey, enrolment=e, nonce=secrets.token_hex(16), sent_at=now)
            for e in _attendees(locked)
        )
        if invitations:
            enqueue(
                tasks.training_survey_send,
                invitation_ids=[i.pk for i in invitations],
                reminder=False,
            )
    return survey


def _remind(now: dt.datetime) -> int:
    due = (
        SurveyInvitation.objects.filter(
            answered_at__isnull=True,
            survey__closes_at__gt=now,
            reminders__lt=MAX_REMINDERS,
            sent_at__lte=now - REMIND_AFTER,
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_AFTER))
        .values_list("pk", flat=True)
    )
    ids = list(due)
    if not ids:
        return 0
    with transaction.atomic():
        for invitation in SurveyInvitation.objects.select_for_update().filter(pk__in=ids):
            invitation.reminders += 1
            invitation.reminded_at = now
            invitation.save(update_fields=["reminders", "reminded_at"])
        enqueue(tasks.training_survey_send, invitation_ids=ids, reminder=True)
    return len(ids)


@dataclass(frozen=True)
class SurveyRun:
    """What one run of the survey sweep did."""

    opened: int
    reminded: int


def surveys_due(*, now: dt.datetime | None = None) -> SurveyRun:
    """Open the end survey of the sessions that ended, the follow-up survey of those whose
    follow-up date came (the programme says after how many months), and remind the learners
    who have not answered a week after the last email (twice at most, while it is open).
    Safe to run at any time: run it daily."""
    now = now or timezone.now()
    opened = 0
    for session in _ended_sessions(now - OPEN_FOR, now):
        if survey_open(session=session, kind=SurveyKind.END, now=now) is not None:
            opened += 1
    for session in _ended_sessions(_add_months(now - OPEN_FOR, -24), now):
        months = session.programme.follow_up_months
        last_end: dt.datetime = session.last_end  # type: ignore[attr-defined]
        follow_up = _add_months(last_end, months)
        due = bool(months) and now - OPEN_FOR < follow_up <= now
        if due and survey_open(session=session, kind=SurveyKind.FOLLOW_UP, now=now):
            opened += 1
    return SurveyRun(opened=opened, reminded=_remind(now))


def survey_invitation_for_token(*, token: str, now: dt.datetime) -> SurveyInvitation:
    """The invitation a personal link names, if it is still to be answered: a token not
    signed by Buron, unknown, answered or whose survey closed is refused."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
        pk, nonce = int(data["i"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise refusal(_("This survey link is not valid."), "invalid_token") from None
    invitation = (
        SurveyInvitation.objects.filter(pk=pk, nonce=nonce)
        .select_related("survey__session__programme", "survey__session__site", "enrolment")
        .first()
    )
    if invitation is None:
        raise refusal(_("This survey link is not valid."), "invalid_token")
    if invitation.answered_at is not None:
        raise refusal(_("You have already answered this survey. Thank you!"), "answered")
    if invitation.survey.closes_at <= now:
        raise refusal(_("This survey is closed."), "closed")
    return invitation


def _clean_ratings(expected: list[str], ratings: Mapping[str, object]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    for code in expected:
        value = ratings.get(code)
        if isinstance(value, bool) or not isinstance(value, int):
            raise refusal(_("Rate every question from 1 to 5."), "missing_rating", code)
        if not LOWEST <= value <= HIGHEST:
            raise refusal(_("A rating goes from 1 to 5."), "rating_out_of_range", code)
        cleaned[code] = value
    if set(ratings) - set(expected):
        raise refusal(_("This question is not in the survey."), "unknown_question")
    return cleaned


def survey_answer(
    *,
    token: str,
    ratings: Mapping[str, object],
    comment: str = "",
    user: User | None = None,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """Record a learner's answers through their personal link, once. The answers are kept
    apart from the invitation, which only notes that it was answered. A signed-in person
    who is not the learner the link was sent to is refused."""
    now = now or timezone.now()
    if len(comment) > MAX_COMMENT:
        raise refusal(
            _("Keep the comments under %(count)s characters.") % {"count": MAX_COMMENT},
            "comment_too_long",
            "comment",
        )
    with transaction.atomic():
        found = survey_invitation_for_token(token=token, now=now)
        invitation = SurveyInvitation.objects.select_for_update().get(pk=found.pk)
        if invitation.answered_at is not None:
            raise refusal(_("You have already answered this survey. Thank you!"), "answered")
        if user is not None and found.enrolment.learner_id != user.pk:
            raise refusal(_("This survey link was sent to another learner."), "not_yours")
        survey = found.survey
        expected = [
            i.code for i in survey_items(programme=survey.session.programme, kind=survey.kind)
        ]
        cleaned = _clean_ratings(expected, ratings)
        response = SurveyResponse.objects.create(
            survey=survey, submitted_on=timezone.localdate(now), comment=comment.strip()
        )
        SurveyRating.objects.bulk_create(
            SurveyRating(response=response, item=code, rating=value)
            for code, value in cleaned.items()
        )
        invitation.answered_at = now
        invitation.save(update_fields=["answered_at"])
    return response
