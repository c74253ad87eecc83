"""The figures of one site on one day, counted from the raw rows (bookings, blocks,
opening hours, visits). Rollups store exactly this; tests compare the two."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from buron.attendance.models import Visit, VisitSource
from buron.booking.models import BookingKind, BookingSlot, BookingStatus
from buron.booking.slots import HALF_DAY_NAME, MORNING_SLOT
from buron.places.models import BookingUnit, Resource, Site
from buron.places.selectors import DaySchedule, site_schedules

UNKNOWN_STATUS = "unknown"


@dataclass
class DayFigures:
    """What a rollup row holds for one site and day."""

    open_half_days: int = 0
    occupied_am: int = 0
    occupied_pm: int = 0
    visits: int = 0
    anonymous_visits: int = 0
    booked_visits: int = 0
    walk_ins: int = 0
    visits_by_status: dict[str, int] = field(default_factory=dict)
    bookings: int = 0
    no_shows: int = 0
    km_avoided: Decimal = Decimal("0")
    co2_kg_avoided: Decimal = Decimal("0")
    members: set[int] = field(default_factory=set)


def _count_slot(row: DayFigures, schedule: DaySchedule, slot: int, kind: str) -> None:
    """One held half-day slot of an open day: a block takes it out of the open half-days,
    a booking occupies it; a slot outside the day's hours counts for nothing."""
    if schedule.closed_because is not None or schedule.period(HALF_DAY_NAME.get(slot, "")) is None:
        return
    if kind == BookingKind.BLOCK:
        row.open_half_days -= 1
    elif slot == MORNING_SLOT:
        row.occupied_am += 1
    else:
        row.occupied_pm += 1


def _count_visit(
    row: DayFigures, member_id: int | None, source: str, booking_id: int | None
) -> None:
    if member_id is None:
        row.anonymous_visits += 1
    else:
        row.members.add(member_id)
    if source == VisitSource.WALK_IN:
        row.walk_ins += 1
    if booking_id is not None:
        row.booked_visits += 1


def _open_half_days(schedule: DaySchedule, desks: int) -> int:
    if schedule.closed_because is not None:
        return 0
    return desks * len({p.half_day for p in schedule.periods})


def day_figures(*, site: Site, day: dt.date) -> DayFigures:
    """Count one site-day from the raw rows. Give the site with its network."""
    figures = DayFigures()
    resources = list(
        Resource.objects.filter(
            site=site, booking_unit=BookingUnit.HALF_DAY, is_active=True
        ).values_list("pk", flat=True)
    )
    if resources:
        schedule = site_schedules([site], day, day)[site.pk][day]
        figures.open_half_days = _open_half_days(schedule, len(resources))
        held = BookingSlot.objects.filter(
            is_active=True, resource_id__in=resources, day=day
        ).values_list("slot", "booking__kind")
        for slot, kind in held:
            _count_slot(figures, schedule, slot, kind)
    booking_days = (
        BookingSlot.objects.filter(
            booking__site=site,
            booking__kind=BookingKind.BOOKING,
            booking__status__in=[BookingStatus.ACTIVE, BookingStatus.RELEASED],
            day=day,
        )
        .values_list("booking_id", "booking__status")
        .distinct()
    )
    statuses = Counter(status for _pk, status in booking_days)
    figures.bookings = sum(statuses.values())
    figures.no_shows = statuses.get(BookingStatus.RELEASED, 0)
    visits = Visit.objects.filter(site=site, day=day)
    totals = visits.aggregate(n=Count("pk"), km=Sum("km_avoided"), co2=Sum("co2_kg_avoided"))
    figures.visits = totals["n"] or 0
    figures.km_avoided = totals["km"] or Decimal("0")
    figures.co2_kg_avoided = totals["co2"] or Decimal("0")
    by_status: Counter[str] = Counter()
    for member_id, status, source, booking_id in visits.values_list(
        "member_id", "visitor_status", "source", "booking_id"
    ):
        by_status[status or UNKNOWN_STATUS] += 1
        _count_visit(figures, member_id, source, booking_id)
    figures.visits_by_status = dict(sorted(by_status.items()))
    return figures


Figures = dict[tuple[int, dt.date], DayFigures]


def _range_occupancy(
    figures: Figures, *, site_ids: list[int], sites: list[Site], start: dt.date, end: dt.date
) -> None:
    desks: Counter[int] = Counter(
        Resource.objects.filter(
            site_id__in=site_ids, booking_unit=BookingUnit.HALF_DAY, is_active=True
        ).values_list("site_id", flat=True)
    )
    schedules = site_schedules([s for s in sites if desks[s.pk]], start, end)
    for site_id, per_day in schedules.items():
        for day, schedule in per_day.items():
            figures[(site_id, day)].open_half_days = _open_half_days(schedule, desks[site_id])
    held = BookingSlot.objects.filter(
        is_active=True,
        resource__site_id__in=site_ids,
        resource__booking_unit=BookingUnit.HALF_DAY,
        resource__is_active=True,
        day__gte=start,
        day__lte=end,
    ).values_list("resource__site_id", "day", "slot", "booking__kind")
    for site_id, day, slot, kind in held.iterator():
        _count_slot(figures[(site_id, day)], schedules[site_id][day], slot, kind)


def _range_bookings(figures: Figures, site_ids: list[int], start: dt.date, end: dt.date) -> None:
    booking_days = (
        BookingSlot.objects.filter(
            booking__site_id__in=site_ids,
            booking__kind=BookingKind.BOOKING,
            booking__status__in=[BookingStatus.ACTIVE, BookingStatus.RELEASED],
            day__gte=start,
            day__lte=end,
        )
        .values_list("booking__site_id", "booking_id", "day", "booking__status")
        .distinct()
    )
    for site_id, _pk, day, status in booking_days.iterator():
        row = figures[(site_id, day)]
        row.bookings += 1
        if status == BookingStatus.RELEASED:
            row.no_shows += 1


def _range_visits(figures: Figures, site_ids: list[int], start: dt.date, end: dt.date) -> None:
    visits = Visit.objects.filter(site_id__in=site_ids, day__gte=start, day__lte=end)
    statuses: dict[tuple[int, dt.date], Counter[str]] = {}
    for site_id, day, member_id, status, source, booking_id, km, co2 in visits.values_list(
        "site_id",
        "day",
        "member_id",
        "visitor_status",
        "source",
        "booking_id",
        "km_avoided",
        "co2_kg_avoided",
    ).iterator():
        row = figures[(site_id, day)]
        row.visits += 1
        statuses.setdefault((site_id, day), Counter())[status or UNKNOWN_STATUS] += 1
        _count_visit(row, member_id, source, booking_id)
        row.km_avoided += km or 0
        row.co2_kg_avoided += co2 or 0
    for key, counter in statuses.items():
        figures[key].visits_by_status = dict(sorted(counter.items()))


def range_figures(*, sites: list[Site], start: dt.date, end: dt.date) -> Figures:
    """The figures of every site-day from `start` to `end`, in a few grouped queries
    whatever the number of days (loading history, recomputing years); equal to
    day_figures for each site-day (tested)."""
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    figures = {(s.pk, d): DayFigures() for s in sites for d in days}
    site_ids = [s.pk for s in sites]
    _range_occupancy(figures, site_ids=site_ids, sites=sites, start=start, end=end)
    _range_bookings(figures, site_ids, start, end)
    _range_visits(figures, site_ids, start, end)
    return figures
