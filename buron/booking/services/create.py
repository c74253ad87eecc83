"""Create bookings: desks and offices by the half-day, rooms by the hour."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks_db import DatabaseBackend

from buron.accounts.models import User
from buron.core import sql
from buron.places.models import BookingUnit, Resource, ResourceKind, Site
from buron.places.selectors import DaySchedule

from .. import selectors, tasks
from ..errors import Alternative, SlotTaken
from ..models import Booking, BookingPolicy, BookingSeries, BookingSlot, Period
from ..site_rules import DayRules, day_rules
from ..slots import Span, half_day_span, hour_slots, open_hours, zone
from .rules import (
    HALF_DAY_KINDS,
    MEMBER_DAY_COLUMNS,
    MEMBER_DAY_SOURCE,
    MemberDay,
    check_member,
    check_site_open,
    check_when,
    judge_member,
    lock_member,
    member_day_from_rows,
    member_day_params,
    refusal,
)


def _new_booking(
    *,
    member: User,
    day: MemberDay,
    booked_by: User | None,
    site: Site,
    resource: Resource,
    span: Span,
    period: str,
    series: BookingSeries | None = None,
) -> Booking | None:
    """Write the booking and one row per slot it holds; None, with nothing left written,
    when the database already holds one of those slots for an active booking.

    A slot already held is simply not written (ON CONFLICT DO NOTHING), so a one-slot
    claim needs no savepoint: when refused, its booking row, which no one else waits on,
    is deleted. A claim of several slots may get some of them: it is rolled back to a
    savepoint, which frees at once the slots it wrote (deleting them would keep
    concurrent claims of those slots waiting until this transaction ends, and two such
    claims taking desks in opposite orders could deadlock)."""
    several = len(span.slots) > 1
    savepoint = transaction.savepoint() if several else None
    booking = Booking(
        network_id=site.network_id,
        site=site,
        resource=resource,
        member=member,
        visitor_status=day.status,
        employer_name=day.employer_name,
        start=span.start,
        end=span.end,
        period=period,
        series=series,
        booked_by=booked_by if booked_by and booked_by.pk != member.pk else None,
    )
    sql.insert(booking)
    slots = [
        BookingSlot(
            booking=booking, network_id=site.network_id, resource=resource, day=span.day, slot=slot
        )
        for slot in span.slots
    ]
    # The unique slot row decides: a slot a concurrent booking holds is not written.
    if sql.insert_many(slots, skip_taken=True) == len(slots):
        if savepoint:
            transaction.savepoint_commit(savepoint)
        return booking
    if savepoint:
        transaction.savepoint_rollback(savepoint)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM booking_booking WHERE id = %s", [booking.pk])
    return None


def _claims(*, candidates: list[Resource], **kwargs: Any) -> Booking | None:
    """Book the first candidate whose slots the database lets this booking hold (a
    concurrent winner makes it refuse them, and the next is tried)."""
    for candidate in candidates:
        booking = _new_booking(resource=candidate, **kwargs)
        if booking is not None:
            return booking
    return None


def _alternatives(*, site: Site, day: dt.date, period: str, kind: str) -> list[Alternative]:
    """What else is free: the nearest other sites that day, then the same site later.

    When a site fills up, everyone who asked for it at that moment gets the same answer: it
    is looked up once and kept a few seconds (settings.BOOKING_ALTERNATIVES_SECONDS) in the
    "local" cache (each process's memory). A suggestion a few
    seconds old is only a suggestion: booking it checks again, and the database still
    refuses any slot held twice."""
    key = f"booking:alternatives:{site.pk}:{day.isoformat()}:{period}:{kind}"
    local = caches["local"]
    found: list[Alternative] | None = local.get(key)
    if found is None:
        found = _alternatives_now(site=site, day=day, period=period, kind=kind)
        local.set(key, found, settings.BOOKING_ALTERNATIVES_SECONDS)
    return found


# How many other sites a "just taken" answer suggests, and how many days ahead it looks
# for the same site.
ALTERNATIVE_SITES = 3
ALTERNATIVE_DAYS = 14


def _alternatives_now(
    *, site: Site, day: dt.date, period: str, kind: str, limit: int = 5
) -> list[Alternative]:
    """The nearest other sites free that day, then the same site on the next days."""
    when = day.isoformat()
    found = [
        Alternative(other.slug, other.name, when, period, other.free)
        for other in selectors.free_elsewhere(site=site, day=day, period=period, kind=kind)[
            :ALTERNATIVE_SITES
        ]
    ]
    later = selectors.free_later(
        site=site,
        start=day + dt.timedelta(days=1),
        days=ALTERNATIVE_DAYS,
        period=period,
        kind=kind,
    )
    found += [
        Alternative(site.slug, site.name, later_day.isoformat(), period, free)
        for later_day, free in later
    ]
    return found[:limit]


def confirm_by_email(bookings: list[Booking]) -> None:
    """Queue the confirmation of bookings, never of a rollback. In the database's queue
    (django-tasks-db) the task is written in the bookings' own transaction: it commits or
    rolls back with them, without a write of its own. Any other queue is handed the task
    once the transaction has committed."""
    ids = [b.pk for b in bookings if b.member_id]
    if not ids:
        return
    language = get_language() or "fr"

    def send() -> None:
        tasks.booking_confirmation_send.enqueue(booking_ids=ids, language=language)

    if isinstance(tasks.booking_confirmation_send.get_backend(), DatabaseBackend):
        send()
    else:
        transaction.on_commit(send)


def _half_day_span_or_refuse(site: Site, schedule: DaySchedule, period: str) -> Span:
    check_site_open(site, schedule)
    span = half_day_span(schedule, period, site.network.time_zone)
    if span is None:
        raise refusal(
            _("%(site)s is not open for this period on that day.") % {"site": site.name},
            "period_closed",
            "period",
        )
    return span


# How many resources one look hands to the claim loop: enough to ride out a few concurrent
# winners on PostgreSQL, few enough to stay one small read.
CANDIDATES = 8


@dataclass(frozen=True)
class _Look:
    """What one read of a site's resources of a kind found for a span."""

    free: list[Resource]
    any_resource: bool


# The active resources of a kind at a site, those holding none of a span's slots first
# (a span's slots follow each other: the first and the last bound them); the parameters
# come from _free_params.
_RESOURCES_FREE_FIRST = (
    "SELECT r.id, r.name, r.booking_unit, EXISTS (SELECT 1 FROM booking_bookingslot h"
    " WHERE h.network_id = %s AND h.resource_id = r.id AND h.day = %s"
    " AND h.slot >= %s AND h.slot <= %s AND h.is_active) AS taken"
    " FROM places_resource r WHERE r.site_id = %s AND r.kind = %s AND r.is_active"
    " ORDER BY taken, r.name, r.id LIMIT %s"
)


def _free_params(site: Site, kind: str, span: Span) -> list[Any]:
    return [
        site.network_id,
        sql.param(BookingSlot, "day", span.day),
        span.slots[0],
        span.slots[-1],
        site.pk,
        kind,
        CANDIDATES,
    ]


def _look_from(rows: list[tuple[Any, ...]], site: Site, kind: str) -> _Look:
    """A look from (id, name, unit, taken) rows, free ones first."""
    names = ["id", "network_id", "site_id", "kind", "name", "booking_unit"]
    free = [
        Resource.from_db(connection.alias, names, [pk, site.network_id, site.pk, kind, name, unit])
        for pk, name, unit, taken in rows
        if not taken
    ]
    return _Look(free=free, any_resource=bool(rows))


def _look(*, site: Site, kind: str, span: Span) -> _Look:
    """The active resources of that kind at the site holding none of the span's slots (the
    first few), and whether the site has any such resource at all: one read."""
    with connection.cursor() as cursor:
        cursor.execute(_RESOURCES_FREE_FIRST, _free_params(site, kind, span))
        return _look_from(cursor.fetchall(), site, kind)


def _first_look(*, member: User, site: Site, kind: str, span: Span) -> tuple[_Look, MemberDay]:
    """_look and the member's day (member_day) in one read, before any lock: what a booking
    needs to refuse, or to say "just taken", without a transaction. The member's day is
    read again under the lock before anything is written."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.select(
                *MEMBER_DAY_COLUMNS,
                "f.id",
                "f.name",
                "f.booking_unit",
                "f.taken",
                rest="FROM "
                + MEMBER_DAY_SOURCE
                + " LEFT JOIN ("
                + _RESOURCES_FREE_FIRST
                + ") f ON 1 = 1 WHERE u.id = %s ORDER BY p.valid_from, f.taken, f.name, f.id",
            ),
            [
                *member_day_params(member, BookingUnit.HALF_DAY, span),
                *_free_params(site, kind, span),
                member.pk,
            ],
        )
        rows = cursor.fetchall()
    width = len(MEMBER_DAY_COLUMNS)
    resources: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        if row[width] is not None:
            resources.setdefault(row[width], tuple(row[width:]))
    return _look_from(list(resources.values()), site, kind), member_day_from_rows(rows, span)


def booking_create_half_day(
    *,
    member: User,
    site: Site,
    day: dt.date,
    period: str,
    kind: str = ResourceKind.DESK,
    resource: Resource | None = None,
    booked_by: User | None = None,
    now: dt.datetime | None = None,
    series: BookingSeries | None = None,
    notify: bool = True,
    alternatives: bool = True,
    rules: DayRules | None = None,
) -> Booking:
    """Book a desk or office for a half-day or a day; a free one is assigned unless given.

    The site's rules (opening, closures, horizon) and a first look at the free resources
    are read outside any lock; the member's own bookings are read again inside the
    booking's transaction, where the database's one row per held slot decides between
    concurrent claims. Raises BookingRefused when a rule says no, SlotTaken when nothing
    is free any more — with the next free alternatives, looked up once the booking's
    transaction is over so that the search never holds a lock. Give the site's rules
    that day when they were read with the site (published_site_day).
    """
    if period not in (Period.MORNING, Period.AFTERNOON, Period.DAY):
        raise refusal(_("Choose morning, afternoon or full day."), "invalid_period", "period")
    if kind not in HALF_DAY_KINDS:
        raise refusal(_("This kind of resource is booked by the hour."), "invalid_kind", "kind")
    if resource is not None:
        if resource.site_id != site.pk or resource.kind != kind:
            raise refusal(
                _("This resource is not of the kind asked for, or not at this site."),
                "wrong_resource",
                "resource",
            )
        if not resource.is_active:
            raise refusal(
                _("This resource cannot be booked at the moment."), "inactive", "resource"
            )
    if rules is None or rules.schedule.day != day:
        rules = day_rules(site, day)
    policy = rules.policy
    span = _half_day_span_or_refuse(site, rules.schedule, period)
    check_when(site, span, now or timezone.now(), policy)
    try:
        if resource is not None:
            candidates = [resource]
        else:
            # A first look outside any lock, with the member's day: a refusal or a full
            # site is answered without a transaction (a refusal needs no lock; the
            # member's own bookings are the better answer than "taken"). A desk it finds
            # may be taken before the claim: the database then refuses that claim and the
            # next one is tried.
            look, preview = _first_look(member=member, site=site, kind=kind, span=span)
            if not look.any_resource:
                raise refusal(
                    _("%(site)s has no bookable resource of this kind.") % {"site": site.name},
                    "no_resource",
                    "kind",
                )
            if not member.is_active:
                raise refusal(_("This account is closed."), "member_inactive")
            judge_member(preview, policy)
            if not look.free:
                raise _taken(site)
            candidates = look.free
        booking = _hold_half_day(
            member=member,
            site=site,
            span=span,
            period=period,
            kind=kind,
            candidates=candidates,
            reread=resource is None,
            booked_by=booked_by,
            series=series,
            policy=policy,
            notify=notify,
        )
    except SlotTaken as exc:
        if alternatives:
            exc.alternatives = _alternatives(site=site, day=day, period=period, kind=kind)
        raise
    return booking


def _taken(site: Site) -> SlotTaken:
    return SlotTaken(
        _("Just taken: nothing is free any more at %(site)s for this period.") % {"site": site.name}
    )


@transaction.atomic
def _hold_half_day(
    *,
    member: User,
    site: Site,
    span: Span,
    period: str,
    kind: str,
    candidates: list[Resource],
    reread: bool,
    booked_by: User | None,
    series: BookingSeries | None,
    policy: BookingPolicy,
    notify: bool,
) -> Booking:
    lock_member(member)
    # Desks and offices are booked by the half-day (the database ties the unit to the kind).
    day = check_member(member, BookingUnit.HALF_DAY, span, policy)
    common: dict[str, Any] = {
        "member": member,
        "day": day,
        "booked_by": booked_by,
        "site": site,
        "span": span,
        "period": period,
        "series": series,
    }
    booking = _claims(candidates=candidates, **common)
    if booking is None and reread:
        # Every desk of the first look was taken meanwhile: look again, once.
        booking = _claims(candidates=_look(site=site, kind=kind, span=span).free, **common)
    if booking is None:
        raise _taken(site)
    if notify:
        confirm_by_email([booking])
    return booking


def booking_create_hours(
    *,
    member: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    booked_by: User | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a room for whole hours of one day (the free hours left are offered, looked up
    after the transaction, when the room was just taken)."""
    try:
        return _book_hours(
            member=member,
            resource=resource,
            start=start,
            end=end,
            booked_by=booked_by,
            now=now or timezone.now(),
        )
    except SlotTaken as exc:
        if not exc.alternatives and resource.booking_unit == BookingUnit.HOUR:
            day = start.astimezone(zone(resource.site.network.time_zone)).date()
            exc.alternatives = _room_alternatives(resource=resource, day=day)
        raise


@transaction.atomic
def _book_hours(
    *,
    member: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    booked_by: User | None,
    now: dt.datetime,
) -> Booking:
    site = resource.site
    if not resource.is_active:
        raise refusal(_("This resource cannot be booked at the moment."), "inactive", "resource")
    tz = site.network.time_zone
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise refusal(
            _("Give times with their offset, e.g. 2027-03-02T09:00:00+01:00."),
            "naive_time",
            "start",
        )
    if end <= start:
        raise refusal(_("The end must come after the start."), "end_before_start", "end")
    local_day = start.astimezone(zone(tz)).date()
    rules = day_rules(site, local_day)
    schedule = rules.schedule
    check_site_open(site, schedule)
    if resource.booking_unit == BookingUnit.HOUR:
        hours = hour_slots(start, end, tz)
        if hours is None:
            raise refusal(
                _("A room is booked by whole hours within one day."), "not_whole_hours", "start"
            )
        allowed = set(open_hours(schedule))
        if not set(hours) <= allowed:
            raise refusal(
                _("%(site)s is not open for all these hours.") % {"site": site.name},
                "hours_closed",
                "start",
            )
        span = Span(local_day, hours, start, end)
        period = Period.HOURS
    else:
        # A half-day resource given by times: the times must be one of its half-days.
        for candidate_period in (Period.DAY, Period.MORNING, Period.AFTERNOON):
            candidate = half_day_span(schedule, candidate_period, tz)
            if candidate and candidate.start == start and candidate.end == end:
                return booking_create_half_day(
                    member=member,
                    site=site,
                    day=local_day,
                    period=candidate_period,
                    kind=resource.kind,
                    resource=resource,
                    booked_by=booked_by,
                    now=now,
                )
        raise refusal(
            _("This resource is booked by the half-day: use the site's opening times."),
            "not_half_day",
            "start",
        )
    policy = rules.policy
    check_when(site, span, now, policy)
    lock_member(member)
    day = check_member(member, resource.booking_unit, span, policy)
    booking = _claims(
        candidates=[resource],
        member=member,
        day=day,
        booked_by=booked_by,
        site=site,
        span=span,
        period=period,
    )
    if booking is None:
        raise SlotTaken(_("Just taken: this room is no longer free at that time."))
    confirm_by_email([booking])
    return booking


def _room_alternatives(*, resource: Resource, day: dt.date) -> list[Alternative]:
    """The hours still free that day for this room."""
    found = selectors.availability(
        day=day,
        period=Period.DAY,
        kind=resource.kind,
        sites=Site.objects.filter(pk=resource.site_id),
    )
    hours = next((f.free_hours or [] for r in found for f in r.free if f.id == resource.pk), [])
    return [
        Alternative(resource.site.slug, resource.site.name, day.isoformat(), f"{h:02d}:00", 1)
        for h in hours[:5]
    ]
