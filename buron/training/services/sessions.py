"""Schedule a session (its room and desks held through the booking engine), cancel it, and
the deadline check that confirms or cancels the sessions whose registration closed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope
from buron.booking.models import BookingSlot
from buron.booking.services import booking_cancel, resource_block
from buron.places.models import BookingUnit, Resource, ResourceKind, Site

from .. import tasks
from ..errors import refusal
from ..models import (
    Enrolment,
    EnrolmentStatus,
    HalfDayPeriod,
    Programme,
    Session,
    SessionHalfDay,
    SessionStatus,
)
from .notify import enqueue

ROOM_KINDS = (ResourceKind.MEETING_ROOM, ResourceKind.VISIO_ROOM, ResourceKind.PRIVATE_OFFICE)


@dataclass(frozen=True)
class HalfDaySpec:
    """A half-day asked for: its day, morning or afternoon, and its local times."""

    day: dt.date
    period: str
    starts: dt.time
    ends: dt.time


def _check_half_days(half_days: Sequence[HalfDaySpec]) -> None:
    if not half_days:
        raise refusal(_("A session has at least one half-day."), "no_half_day", "half_days")
    seen: set[tuple[dt.date, str]] = set()
    for spec in half_days:
        if spec.period not in HalfDayPeriod.values:
            raise refusal(_("Choose morning or afternoon."), "invalid_period", "half_days")
        if spec.ends <= spec.starts:
            raise refusal(
                _("A half-day must end after it starts."), "end_before_start", "half_days"
            )
        if (spec.day, spec.period) in seen:
            raise refusal(_("The same half-day is given twice."), "half_day_twice", "half_days")
        seen.add((spec.day, spec.period))


def _check_resources(*, site: Site, room: Resource, desks: Sequence[Resource]) -> None:
    if room.kind not in ROOM_KINDS or not room.is_active:
        raise refusal(_("Choose an active room of this site."), "wrong_room", "room")
    for desk in desks:
        if desk.site_id != site.pk or desk.kind != ResourceKind.DESK or not desk.is_active:
            raise refusal(_("Choose active desks of this site."), "wrong_desk", "desks")


def _check_places(*, room: Resource, capacity: int, minimum: int) -> None:
    if capacity < 1 or minimum < 1 or minimum > capacity:
        raise refusal(
            _("The minimum must be between 1 and the number of places."), "bad_minimum", "minimum"
        )
    if capacity > room.capacity:
        raise refusal(
            _("The room holds %(count)s people at most.") % {"count": room.capacity},
            "above_room_capacity",
            "capacity",
        )


def _check_dates(
    *, ordered: list[HalfDaySpec], deadline: dt.datetime, tz: zoneinfo.ZoneInfo, now: dt.datetime
) -> None:
    if timezone.is_naive(deadline):
        raise refusal(_("Give the deadline with its time zone."), "naive_time", "deadline")
    first_start = dt.datetime.combine(ordered[0].day, ordered[0].starts, tzinfo=tz)
    if first_start <= now:
        raise refusal(_("A session is scheduled in the future."), "past", "half_days")
    if not now < deadline <= first_start:
        raise refusal(
            _("The registration deadline comes before the first half-day, and after now."),
            "bad_deadline",
            "registration_deadline",
        )


@transaction.atomic
def session_schedule(
    *,
    programme: Programme,
    room: Resource,
    half_days: Sequence[HalfDaySpec],
    capacity: int,
    minimum: int,
    registration_deadline: dt.datetime,
    trainer: User,
    by: User,
    desks: Sequence[Resource] = (),
    what_to_bring: str = "",
    now: dt.datetime | None = None,
) -> Session:
    """Schedule a session in a room (at the room's site) and hold the room and desks on
    each of its days.

    Each resource is blocked through the booking engine for every day of the session
    (resource_block), so no booking can take it and the hosts see it on their plans; a
    resource already booked on one of those days refuses the whole session, and nothing is
    written. The registration deadline is checked by a background task when it comes."""
    now = now or timezone.now()
    site = room.site
    if not staff_scope(user=by).covers_site(site):
        raise refusal(_("You do not manage this site."), "not_staff")
    if programme.network_id != site.network_id:
        raise refusal(_("This programme belongs to another network."), "other_network", "programme")
    _check_resources(site=site, room=room, desks=desks)
    _check_places(room=room, capacity=capacity, minimum=minimum)
    _check_half_days(half_days)
    tz = zoneinfo.ZoneInfo(site.network.time_zone)
    ordered = sorted(half_days, key=lambda s: (s.day, s.starts))
    _check_dates(ordered=ordered, deadline=registration_deadline, tz=tz, now=now)
    session = Session.objects.create(
        network_id=site.network_id,
        programme=programme,
        site=site,
        room=room,
        trainer=trainer,
        scheduled_by=by,
        capacity=capacity,
        minimum=minimum,
        registration_deadline=registration_deadline,
        what_to_bring=what_to_bring,
    )
    SessionHalfDay.objects.bulk_create(
        SessionHalfDay(
            session=session,
            day=spec.day,
            period=spec.period,
            starts_at=dt.datetime.combine(spec.day, spec.starts, tzinfo=tz),
            ends_at=dt.datetime.combine(spec.day, spec.ends, tzinfo=tz),
        )
        for spec in ordered
    )
    session.desks.set(desks)
    note = _("Training: %(title)s") % {"title": programme.title}
    for day in sorted({spec.day for spec in ordered}):
        for resource in [room, *desks]:
            result = resource_block(
                resource=resource, start_date=day, end_date=day, by=by, note=note[:300]
            )
            # The block holds every slot of the day still free: fewer than all of them
            # means a booking or another block already holds some.
            held = BookingSlot.objects.filter(booking=result.block, is_active=True).count()
            if result.to_move or held < _slots_per_day(resource):
                raise refusal(
                    _("%(resource)s is already booked on %(day)s: choose another day or room.")
                    % {"resource": resource.name, "day": date_format(day, "DATE_FORMAT")},
                    "resource_booked",
                    "room",
                )
            session.holds.add(result.block)
    _deadline_check_at(registration_deadline)
    _surveys_at(dt.datetime.combine(ordered[-1].day, ordered[-1].ends, tzinfo=tz))
    return session


def _slots_per_day(resource: Resource) -> int:
    return 24 if resource.booking_unit == BookingUnit.HOUR else 2


def _deadline_check_at(when: dt.datetime) -> None:
    """Run the deadline check when the deadline comes (on a queue that can wait)."""
    task = tasks.training_sessions_due_check
    if task.get_backend().supports_defer:
        deferred = task.using(run_after=when + dt.timedelta(seconds=1))
        transaction.on_commit(deferred.enqueue)


def _surveys_at(when: dt.datetime) -> None:
    """Open the end survey when the session ends (the daily run catches it otherwise)."""
    task = tasks.training_surveys_due
    if task.get_backend().supports_defer:
        deferred = task.using(run_after=when + dt.timedelta(minutes=1))
        transaction.on_commit(deferred.enqueue)


@transaction.atomic
def session_cancel(*, session: Session, by: User, now: dt.datetime | None = None) -> Session:
    """Cancel a session: its room and desks are released, every enrolment (waiting list
    included) is cancelled, and everyone is told by email."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("site").get(pk=session.pk)
    if not staff_scope(user=by).covers_site(session.site):
        raise refusal(_("You do not manage this site."), "not_staff")
    if session.status == SessionStatus.CANCELLED:
        raise refusal(_("This session is already cancelled."), "already_cancelled")
    for hold in session.holds.filter(status="active"):
        booking_cancel(booking=hold, by=by, now=now)
    live = list(Enrolment.objects.filter(session=session).exclude(status=EnrolmentStatus.CANCELLED))
    Enrolment.objects.filter(pk__in=[e.pk for e in live]).update(
        status=EnrolmentStatus.CANCELLED, cancelled_at=now
    )
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.save(update_fields=["status", "cancelled_at"])
    if live:
        enqueue(tasks.training_cancellation_send, enrolment_ids=[e.pk for e in live])
    return session


def sessions_due_check(*, now: dt.datetime) -> list[Session]:
    """Sessions whose registration deadline has passed: confirmed when they reached their
    minimum, cancelled (as by the person who scheduled them) when not. Returns those
    decided now; a session already decided is left alone, so running twice is harmless."""
    decided: list[Session] = []
    due = Session.objects.filter(
        status=SessionStatus.SCHEDULED, registration_deadline__lte=now
    ).select_related("scheduled_by")
    for session in due:
        with transaction.atomic():
            locked = Session.objects.select_for_update().get(pk=session.pk)
            if locked.status != SessionStatus.SCHEDULED:
                continue
            enrolled = Enrolment.objects.filter(
                session=locked, status=EnrolmentStatus.CONFIRMED
            ).count()
            if enrolled >= locked.minimum:
                locked.status = SessionStatus.CONFIRMED
                locked.save(update_fields=["status"])
                decided.append(locked)
                continue
        decided.append(session_cancel(session=session, by=session.scheduled_by, now=now))
    return decided
