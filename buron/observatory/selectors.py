"""The observatory's figures for a set of sites and a period, read from the raw rows.

Definitions (shown to users in the README):

- occupancy rate = occupied bookable half-days / open bookable half-days, over the
  resources booked by the half-day (desks, offices) that are active: a half-day is open
  when the site's hours, closures and public holidays open it; a half-day held by a block
  (maintenance) is neither open nor occupied; a released no-show is not occupied;
- visits: one person at one site on one day; unique visitors: distinct members, plus one
  for each visit without a member (walk-ins, closed accounts);
- share by status: visits by the visitor's status on the day of the visit, over all visits;
- no-show rate = bookings released as no-shows / bookings due (confirmed or released,
  started by now), by the day they start;
- km and kg of CO2 avoided: the sums kept on the visits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from buron.accounts.selectors import Scope
from buron.attendance.models import Visit
from buron.booking.models import Booking, BookingKind, BookingSlot, BookingStatus
from buron.booking.selectors import managed_sites
from buron.booking.slots import HALF_DAY_NAME
from buron.places.models import BookingUnit, Resource, Site
from buron.places.selectors import site_schedules

UNKNOWN_STATUS = "unknown"


@dataclass(frozen=True)
class Summary:
    """The headline figures of a set of sites over a period."""

    occupancy_rate: float
    open_half_days: int
    occupied_half_days: int
    visits: int
    unique_visitors: int
    share_by_status: dict[str, float]
    no_show_rate: float
    km_avoided: Decimal
    co2_kg_avoided: Decimal


def observed_sites(*, scope: Scope) -> QuerySet[Site]:
    """The sites whose figures a person may read: a host's sites, a network
    administrator's network, everything for a superuser; nothing for anyone else."""
    return managed_sites(scope=scope)


def _occupancy(sites: QuerySet[Site], start: dt.date, end: dt.date) -> tuple[int, int]:
    """(occupied, open) bookable half-days of the sites' half-day resources."""
    resources = Resource.objects.filter(
        site__in=sites, booking_unit=BookingUnit.HALF_DAY, is_active=True
    )
    per_site: dict[int, int] = {}
    for site_id in resources.values_list("site_id", flat=True):
        per_site[site_id] = per_site.get(site_id, 0) + 1
    if not per_site:
        return 0, 0
    listed = list(Site.objects.filter(pk__in=per_site))
    schedules = site_schedules(listed, start, end)
    opened = 0
    for site_id, count in per_site.items():
        for schedule in schedules[site_id].values():
            if schedule.closed_because is None:
                opened += count * len({p.half_day for p in schedule.periods})
    occupied = 0
    held = BookingSlot.objects.filter(
        is_active=True, resource__in=resources, day__gte=start, day__lte=end
    ).values_list("resource__site_id", "day", "slot", "booking__kind")
    for site_id, day, slot, kind in held:
        if schedules[site_id][day].period(HALF_DAY_NAME.get(slot, "")) is None:
            continue
        if kind == BookingKind.BLOCK:
            opened -= 1
        else:
            occupied += 1
    return occupied, opened


def _no_show_rate(sites: QuerySet[Site], start: dt.date, end: dt.date, now: dt.datetime) -> float:
    due = (
        Booking.objects.filter(
            site__in=sites,
            kind=BookingKind.BOOKING,
            status__in=[BookingStatus.ACTIVE, BookingStatus.RELEASED],
            start__lte=now,
            slots__day__gte=start,
            slots__day__lte=end,
        )
        .values("status")
        .annotate(n=Count("pk", distinct=True))
    )
    counts = {row["status"]: row["n"] for row in due}
    total = sum(counts.values())
    return counts.get(BookingStatus.RELEASED, 0) / total if total else 0.0


def summary_for(
    *, sites: QuerySet[Site], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Summary:
    """The figures of the sites from `start` to `end` (days included); see the module's
    docstring for their definitions."""
    now = now or timezone.now()
    occupied, opened = _occupancy(sites, start, end)
    visits = Visit.objects.filter(site__in=sites, day__gte=start, day__lte=end)
    totals = visits.aggregate(
        n=Count("pk"),
        members=Count("member", distinct=True),
        km=Sum("km_avoided"),
        co2=Sum("co2_kg_avoided"),
    )
    anonymous = visits.filter(member__isnull=True).count()
    by_status = {
        row["visitor_status"] or UNKNOWN_STATUS: row["n"]
        for row in visits.values("visitor_status").annotate(n=Count("pk")).order_by()
    }
    count = totals["n"] or 0
    return Summary(
        occupancy_rate=occupied / opened if opened else 0.0,
        open_half_days=opened,
        occupied_half_days=occupied,
        visits=count,
        unique_visitors=(totals["members"] or 0) + anonymous,
        share_by_status={status: n / count for status, n in sorted(by_status.items())},
        no_show_rate=_no_show_rate(sites, start, end, now),
        km_avoided=totals["km"] or Decimal("0"),
        co2_kg_avoided=totals["co2"] or Decimal("0"),
    )
