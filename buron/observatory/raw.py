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
from buron.places.selectors import site_schedules

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
        if schedule.closed_because is None:
            figures.open_half_days = len(resources) * len({p.half_day for p in schedule.periods})
            held = BookingSlot.objects.filter(
                is_active=True, resource_id__in=resources, day=day
            ).values_list("slot", "booking__kind")
            for slot, kind in held:
                if schedule.period(HALF_DAY_NAME.get(slot, "")) is None:
                    continue
                if kind == BookingKind.BLOCK:
                    figures.open_half_days -= 1
                elif slot == MORNING_SLOT:
                    figures.occupied_am += 1
                else:
                    figures.occupied_pm += 1
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
        if member_id is None:
            figures.anonymous_visits += 1
        else:
            figures.members.add(member_id)
        if source == VisitSource.WALK_IN:
            figures.walk_ins += 1
        if booking_id is not None:
            figures.booked_visits += 1
    figures.visits_by_status = dict(sorted(by_status.items()))
    return figures
