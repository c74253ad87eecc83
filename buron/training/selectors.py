"""Reads of the training app: published programmes and their sessions, a learner's and an
adviser's enrolments, the sheets, and the hours attended computed from them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope
from buron.core.money import money
from buron.places.models import Site

from .models import (
    Adviser,
    AttendanceLine,
    AttendanceSheet,
    Correction,
    Enrolment,
    EnrolmentStatus,
    PartnerOrganisation,
    Presence,
    Programme,
    Session,
    SessionHalfDay,
    SessionStatus,
    Survey,
    SurveyInvitation,
    SurveyKind,
    SurveyRating,
    SurveyResponse,
    clamp,
)
from .questionnaire import OVERALL, survey_items

# A learner completed a session when they attended at least this share of its hours.
COMPLETION_SHARE = Decimal("0.8")
HOURS = Decimal("0.01")


def published_programmes() -> QuerySet[Programme]:
    """Programmes on the public site, with their network and training body."""
    return Programme.objects.filter(is_published=True).select_related("network", "training_body")


def programme_for_page(*, slug: str) -> Programme:
    """A published programme with its modules and funders (raises DoesNotExist)."""
    return published_programmes().prefetch_related("modules", "funders").get(slug=slug)


@dataclass(frozen=True)
class OpenSession:
    """A session to come, with its half-days and the places still free."""

    session: Session
    half_days: list[SessionHalfDay]
    free: int
    waiting: int
    open: bool


def upcoming_sessions(*, programme: Programme | None = None, now: dt.datetime) -> list[OpenSession]:
    """Sessions not cancelled whose first half-day is still to come, by site then date."""
    sessions = (
        Session.objects.exclude(status=SessionStatus.CANCELLED)
        .filter(programme__is_published=True, half_days__starts_at__gt=now)
        .distinct()
        .select_related("site", "programme", "network")
        .prefetch_related(
            Prefetch("half_days", queryset=SessionHalfDay.objects.order_by("starts_at"))
        )
        .annotate(
            confirmed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.CONFIRMED)),
            waiting_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
        )
    )
    if programme is not None:
        sessions = sessions.filter(programme=programme)
    found: list[OpenSession] = []
    for session in sessions:
        half_days = list(session.half_days.all())
        if not half_days or half_days[0].starts_at <= now:
            continue
        found.append(
            OpenSession(
                session=session,
                half_days=half_days,
                free=max(session.capacity - session.confirmed, 0),
                waiting=session.waiting_count,
                open=now < session.registration_deadline,
            )
        )
    found.sort(key=lambda o: (o.session.site.name, o.half_days[0].starts_at))
    return found


def sessions_by_site(sessions: list[OpenSession]) -> list[tuple[str, list[OpenSession]]]:
    """Upcoming sessions grouped under their site's name."""
    grouped: dict[str, list[OpenSession]] = defaultdict(list)
    for item in sessions:
        grouped[item.session.site.name].append(item)
    return list(grouped.items())


def learner_enrolments(*, user: User) -> QuerySet[Enrolment]:
    """A learner's enrolments, newest session first."""
    return (
        Enrolment.objects.filter(learner=user)
        .select_related("session__programme", "session__site", "session__network")
        .prefetch_related("session__half_days")
        .order_by("-session__registration_deadline", "-pk")
    )


def adviser_organisations(*, user: User) -> list[PartnerOrganisation]:
    """The organisations the user enrols learners for."""
    return [
        a.organisation for a in Adviser.objects.filter(user=user).select_related("organisation")
    ]


def adviser_enrolments(*, user: User) -> QuerySet[Enrolment]:
    """The enrolments made through the user's organisations: an adviser sees those only."""
    return (
        Enrolment.objects.filter(organisation__advisers__user=user)
        .select_related("learner", "session__programme", "session__site", "organisation")
        .order_by("-created_at", "-pk")
    )


def waiting_rank(*, enrolment: Enrolment) -> int:
    """The learner's rank on the waiting list (1 = next to get a place), 0 when not on it."""
    if enrolment.status != EnrolmentStatus.WAITING:
        return 0
    ahead = Enrolment.objects.filter(
        session_id=enrolment.session_id, status=EnrolmentStatus.WAITING
    ).filter(
        Q(created_at__lt=enrolment.created_at)
        | Q(created_at=enrolment.created_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


def trainer_sessions(*, user: User) -> QuerySet[Session]:
    """Sessions the user trains or whose site they manage (newest first)."""
    scope = staff_scope(user=user)
    condition = Q(trainer=user)
    if scope.everything:
        condition = Q()
    else:
        condition |= Q(site__network_id__in=scope.network_ids) | Q(site_id__in=scope.site_ids)
    return (
        Session.objects.filter(condition)
        .select_related("programme", "site")
        .order_by("-registration_deadline", "-pk")
    )


@dataclass(frozen=True)
class SheetRow:
    """One learner on a half-day's sheet, as it stands with its corrections."""

    enrolment: Enrolment
    line: AttendanceLine | None
    corrections: list[Correction]
    presence: str
    arrived_at: dt.datetime | None
    left_at: dt.datetime | None
    hours: Decimal


def _effective(
    line: AttendanceLine | None, corrections: list[Correction]
) -> tuple[str, dt.datetime | None, dt.datetime | None]:
    """Presence and times as held true: the line, then each correction in turn."""
    presence = line.presence if line else ""
    arrived = line.arrived_at if line else None
    left = line.left_at if line else None
    for correction in corrections:
        presence = correction.presence or presence
        arrived = correction.arrived_at or arrived
        left = correction.left_at or left
    return presence, arrived, left


def _hours(
    half_day: SessionHalfDay,
    presence: str,
    arrived: dt.datetime | None,
    left: dt.datetime | None,
) -> Decimal:
    if presence != Presence.PRESENT:
        return Decimal(0)
    start = clamp(arrived, half_day.starts_at, half_day.ends_at)
    end = clamp(left, half_day.starts_at, half_day.ends_at) if left else half_day.ends_at
    seconds = max((end - start).total_seconds(), 0)
    return (Decimal(int(seconds)) / Decimal(3600)).quantize(HOURS)


def sheet_rows(*, half_day: SessionHalfDay) -> tuple[AttendanceSheet | None, list[SheetRow]]:
    """The half-day's sheet and one row per learner enrolled (signed, absent or not yet)."""
    sheet = (
        AttendanceSheet.objects.filter(half_day=half_day).select_related("countersigned_by").first()
    )
    lines: dict[int, AttendanceLine] = {}
    corrections: dict[int, list[Correction]] = defaultdict(list)
    if sheet is not None:
        lines = {line.enrolment_id: line for line in sheet.lines.all()}
        for correction in sheet.corrections.select_related("by").order_by("at", "pk"):
            if correction.line_id is not None:
                corrections[correction.line_id].append(correction)
    rows: list[SheetRow] = []
    enrolments = (
        Enrolment.objects.filter(session_id=half_day.session_id, status=EnrolmentStatus.CONFIRMED)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )
    for enrolment in enrolments:
        line = lines.get(enrolment.pk)
        fixes = corrections.get(line.pk, []) if line else []
        presence, arrived, left = _effective(line, fixes)
        rows.append(
            SheetRow(
                enrolment=enrolment,
                line=line,
                corrections=fixes,
                presence=presence,
                arrived_at=arrived,
                left_at=left,
                hours=_hours(half_day, presence, arrived, left),
            )
        )
    return sheet, rows


def _hours_by_half_day(enrolment: Enrolment, half_days: list[SessionHalfDay]) -> dict[int, Decimal]:
    """Hours attended on each half-day, from the lines with their corrections."""
    lines = {
        line.sheet.half_day_id: line
        for line in AttendanceLine.objects.filter(enrolment=enrolment).select_related("sheet")
    }
    fixes: dict[int, list[Correction]] = defaultdict(list)
    for correction in Correction.objects.filter(line__enrolment=enrolment).order_by("at", "pk"):
        fixes[correction.line_id or 0].append(correction)
    found: dict[int, Decimal] = {}
    for half_day in half_days:
        line = lines.get(half_day.pk)
        presence, arrived, left = _effective(line, fixes.get(line.pk, []) if line else [])
        found[half_day.pk] = _hours(half_day, presence, arrived, left)
    return found


def hours_attended(*, enrolment: Enrolment) -> Decimal:
    """Hours the learner attended, from the sheets with their corrections."""
    half_days = list(SessionHalfDay.objects.filter(session_id=enrolment.session_id))
    return sum(_hours_by_half_day(enrolment, half_days).values(), Decimal(0))


def hours_planned(*, session: Session) -> Decimal:
    """The session's hours, from its half-days."""
    total = sum((h.hours for h in session.half_days.all()), Decimal(0))
    return total.quantize(HOURS)


# Results are published only over at least this many learners (completion) or answers
# (satisfaction), so that no one's answer or attendance can be told apart.
MIN_PUBLIC = 3


@dataclass(frozen=True)
class ProgrammeResults:
    """Results of a programme's sessions that have run: learners, completion rate and the
    satisfaction its learners gave at the end (overall item, out of 5)."""

    sessions: int
    learners: int
    completed: int
    satisfaction: Decimal | None = None
    answers: int = 0

    @property
    def completion_rate(self) -> int:
        return round(100 * self.completed / self.learners) if self.learners else 0

    @property
    def shows_completion(self) -> bool:
        return self.learners >= MIN_PUBLIC

    @property
    def shows_satisfaction(self) -> bool:
        return self.satisfaction is not None and self.answers >= MIN_PUBLIC


def programme_results(*, programme: Programme, now: dt.datetime) -> ProgrammeResults | None:
    """Completion over the programme's sessions already over; None before any has run."""
    past = [
        s
        for s in Session.objects.filter(programme=programme)
        .exclude(status=SessionStatus.CANCELLED)
        .prefetch_related("half_days")
        if s.half_days.all() and max(h.ends_at for h in s.half_days.all()) < now
    ]
    if not past:
        return None
    learners = completed = 0
    for session in past:
        planned = hours_planned(session=session)
        for enrolment in Enrolment.objects.filter(
            session=session, status=EnrolmentStatus.CONFIRMED
        ):
            learners += 1
            if planned and hours_attended(enrolment=enrolment) >= planned * COMPLETION_SHARE:
                completed += 1
    overall = SurveyRating.objects.filter(
        response__survey__session__programme=programme,
        response__survey__kind=SurveyKind.END,
        item=OVERALL,
    ).aggregate(average=Avg("rating"), answers=Count("pk"))
    return ProgrammeResults(
        sessions=len(past),
        learners=learners,
        completed=completed,
        satisfaction=_tenth(overall["average"]),
        answers=overall["answers"] or 0,
    )


@dataclass(frozen=True)
class StatementRow:
    """One learner's attendance in a month for a funder."""

    enrolment: Enrolment
    half_days: int
    hours: Decimal
    amount: Decimal


def funder_statement(*, funder: PartnerOrganisation, year: int, month: int) -> list[StatementRow]:
    """Per learner funded by this organisation: half-days and hours attended that month,
    and the share of the programme's price for those hours."""
    first = dt.date(year, month, 1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    rows: list[StatementRow] = []
    enrolments = (
        Enrolment.objects.filter(funder=funder, status=EnrolmentStatus.CONFIRMED)
        .filter(session__half_days__day__gte=first, session__half_days__day__lt=after)
        .distinct()
        .select_related("learner", "session__programme", "session__site")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )
    for enrolment in enrolments:
        half_days = list(
            SessionHalfDay.objects.filter(
                session_id=enrolment.session_id, day__gte=first, day__lt=after
            )
        )
        by_half_day = _hours_by_half_day(enrolment, half_days)
        hours = sum(by_half_day.values(), Decimal(0))
        attended = sum(1 for h in by_half_day.values() if h)
        programme = enrolment.session.programme
        rate = programme.price / programme.duration_hours
        rows.append(
            StatementRow(
                enrolment=enrolment,
                half_days=attended,
                hours=hours,
                amount=money(rate * hours),
            )
        )
    return rows


def is_staff(*, user: User) -> bool:
    """Whether the user manages any site or network."""
    return staff_scope(user=user).is_staff


def may_read_statement(*, user: User, funder: PartnerOrganisation) -> bool:
    """A funder's statement is read by its network's administrators and its own advisers."""
    scope = staff_scope(user=user)
    if scope.everything or funder.network_id in scope.network_ids:
        return True
    return Adviser.objects.filter(user=user, organisation=funder).exists()


def may_manage_session(*, user: User, session: Session) -> bool:
    """The site's staff manage a session (its evidence pack included); its trainer does not."""
    return staff_scope(user=user).covers_site(session.site)


# ---- Survey results -------------------------------------------------------------------------

TENTH = Decimal("0.1")


def _tenth(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(TENTH)


@dataclass(frozen=True)
class ItemResult:
    """One question's average rating (out of 5) and how many answered it."""

    code: str
    text: str
    average: Decimal | None
    answers: int


@dataclass(frozen=True)
class SurveyResults:
    """A survey's results over one session or all of a programme's: who was invited, who
    answered, the average of each question, and the comments (for the staff only)."""

    kind: str
    label: str
    invited: int
    answered: int
    items: list[ItemResult]
    comments: list[str]

    @property
    def response_rate(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def _results(*, surveys: QuerySet[Survey], programme: Programme, kind: str) -> SurveyResults:
    surveys = surveys.filter(kind=kind)
    invitations = SurveyInvitation.objects.filter(survey__in=surveys).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    figures = {
        row["item"]: row
        for row in SurveyRating.objects.filter(response__survey__in=surveys)
        .values("item")
        .annotate(average=Avg("rating"), answers=Count("pk"))
        .order_by()
    }
    items = [
        ItemResult(
            code=item.code,
            text=item.text,
            average=_tenth(figures.get(item.code, {}).get("average")),
            answers=figures.get(item.code, {}).get("answers", 0),
        )
        for item in survey_items(programme=programme, kind=kind)
    ]
    comments = list(
        SurveyResponse.objects.filter(survey__in=surveys)
        .exclude(comment="")
        .order_by("pk")
        .values_list("comment", flat=True)
    )
    return SurveyResults(
        kind=kind,
        label=str(SurveyKind(kind).label),
        invited=invitations["invited"] or 0,
        answered=invitations["answered"] or 0,
        items=items,
        comments=comments,
    )


def session_survey_results(*, session: Session) -> list[SurveyResults]:
    """The results of each survey the session has opened (end, then follow-up)."""
    surveys = Survey.objects.filter(session=session)
    kinds = [k for k in SurveyKind.values if surveys.filter(kind=k).exists()]
    return [_results(surveys=surveys, programme=session.programme, kind=k) for k in kinds]


def programme_survey_results(*, programme: Programme) -> list[SurveyResults]:
    """The results of the programme's surveys over all its sessions, by kind."""
    surveys = Survey.objects.filter(session__programme=programme)
    kinds = [k for k in SurveyKind.values if surveys.filter(kind=k).exists()]
    return [_results(surveys=surveys, programme=programme, kind=k) for k in kinds]


def learner_open_surveys(*, user: User, now: dt.datetime) -> dict[int, SurveyInvitation]:
    """The learner's surveys still to answer, by enrolment (the latest one of each)."""
    found: dict[int, SurveyInvitation] = {}
    for invitation in SurveyInvitation.objects.filter(
        enrolment__learner=user, answered_at__isnull=True, survey__closes_at__gt=now
    ).order_by("survey__opened_at", "pk"):
        found[invitation.enrolment_id] = invitation
    return found


def may_invoice_session(*, user: User, session: Session) -> bool:
    """A session's funders are invoiced by its network's administrators."""
    scope = staff_scope(user=user)
    return scope.everything or session.network_id in scope.network_ids


def may_read_programme_results(*, user: User, programme: Programme) -> bool:
    """A programme's survey results (with their comments) are for its network's staff."""
    scope = staff_scope(user=user)
    return scope.everything or programme.network_id in scope.network_ids


# ---- Training in the observatory ------------------------------------------------------------


def learner_half_days_attended(*, sites: QuerySet[Site], start: dt.date, end: dt.date) -> int:
    """Learner half-days attended at the sites from `start` to `end` (days included): one
    for each learner present on a half-day of a session not cancelled, as the sheets say
    after their corrections (a late arrival still counts its half-day)."""
    counted = AttendanceLine.objects.filter(
        sheet__half_day__session__site__in=sites,
        sheet__half_day__day__gte=start,
        sheet__half_day__day__lte=end,
        enrolment__status=EnrolmentStatus.CONFIRMED,
    ).exclude(sheet__half_day__session__status=SessionStatus.CANCELLED)
    lines = dict(counted.values_list("pk", "presence"))
    for line_id, presence in (
        Correction.objects.filter(line__in=counted)
        .exclude(presence="")
        .order_by("at", "pk")
        .values_list("line_id", "presence")
    ):
        lines[line_id] = presence
    return sum(1 for presence in lines.values() if presence == Presence.PRESENT)
