"""The observatory's figures for a set of sites and a period, read from the raw rows.

Definitions (shown to users in the README):

- occupancy rate = occupied bookable half-days / open bookable half-days, over the
  resources booked by the half-day (desks, offices) that are active: a half-day is open
  when the site's hours, closures and public holidays open it; a half-day held by a block
  (maintenance) is neither open nor occupied; a released no-show is not occupied;
- visits: one person at one site on one day; unique visitors: distinct members, plus one
  for each visit without a member (walk-ins, closed accounts);
- share by status: visits by the visitor's status on the day of the visit, over all visits;
- no-show rate = booking-days released as no-shows / booking-days due (member bookings,
  confirmed or released, one per booking and day it holds), over the days before today;
- km and kg of CO2 avoided: the sums kept on the visits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from buron.accounts.selectors import Scope
from buron.attendance.models import Visit
from buron.booking.models import BookingKind, BookingSlot, BookingStatus
from buron.booking.selectors import managed_sites
from buron.booking.slots import HALF_DAY_NAME
from buron.places.models import BookingUnit, Resource, Site
from buron.places.selectors import site_schedules
from buron.training.selectors import learner_half_days_attended

from . import store
from .models import ObservatorySettings, SiteDay, SiteDayMember
from .revenue import Revenue, revenue_for

UNKNOWN_STATUS = "unknown"
KM, KG = Decimal("0.1"), Decimal("0.001")


def _exact(total: object, unit: Decimal) -> Decimal:
    """A sum of decimals to the unit the rows keep (SQLite adds them as floats)."""
    return Decimal(str(total or 0)).quantize(unit)


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
    end = min(end, timezone.localdate(now) - dt.timedelta(days=1))
    due = (
        BookingSlot.objects.filter(
            booking__site__in=sites,
            booking__kind=BookingKind.BOOKING,
            booking__status__in=[BookingStatus.ACTIVE, BookingStatus.RELEASED],
            day__gte=start,
            day__lte=end,
        )
        .values_list("booking_id", "day", "booking__status")
        .distinct()
    )
    statuses = [status for _pk, _day, status in due]
    released = sum(1 for status in statuses if status == BookingStatus.RELEASED)
    return released / len(statuses) if statuses else 0.0


def summary_raw(
    *, sites: QuerySet[Site], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Summary:
    """The figures of the sites from `start` to `end` (days included) counted from the
    raw rows: what the rollups must equal (tests compare them); see the module's
    docstring for the definitions."""
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
        km_avoided=_exact(totals["km"], KM),
        co2_kg_avoided=_exact(totals["co2"], KG),
    )


# --- Read from the rollups (pages, API) -------------------------------------------------


def _rollups(sites: QuerySet[Site], start: dt.date, end: dt.date) -> QuerySet[SiteDay]:
    return SiteDay.objects.filter(site_id__in=_site_ids(sites), day__gte=start, day__lte=end)


def _site_ids(sites: QuerySet[Site]) -> list[int]:
    """The sites' ids, read once: filtering the rollups by a list lets the database plan
    with the (site, day) index (with a subquery it cannot tell how few rows match)."""
    return list(sites.order_by().values_list("pk", flat=True))


@dataclass
class _MonthSums:
    visits: int = 0
    anonymous: int = 0
    opened: int = 0
    occupied: int = 0
    salaried: int = 0


@dataclass
class _Sums:
    """The rollup rows of a period summed by the database per day, then here."""

    opened: int = 0
    am: int = 0
    pm: int = 0
    visits: int = 0
    anonymous: int = 0
    booked: int = 0
    walk_ins: int = 0
    bookings_due: int = 0
    no_shows_due: int = 0
    km: Decimal = Decimal("0")
    co2: Decimal = Decimal("0")
    statuses: dict[str, int] = field(default_factory=dict)
    weekdays: list[int] = field(default_factory=lambda: [0] * 7)
    months: dict[dt.date, _MonthSums] = field(default_factory=dict)

    def add_day(self, row: dict[str, Any], today: dt.date) -> None:
        day: dt.date = row["day"]
        self.opened += row["opened"]
        self.am += row["am"]
        self.pm += row["pm"]
        self.visits += row["visits"]
        self.anonymous += row["anonymous"]
        self.booked += row["booked"]
        self.walk_ins += row["walk_ins"]
        if day < today:
            self.bookings_due += row["bookings"]
            self.no_shows_due += row["no_shows"]
        self.km += _exact(row["km"], KM)
        self.co2 += _exact(row["co2"], KG)
        self.weekdays[day.weekday()] += row["visits"]
        month = self.months.setdefault(day.replace(day=1), _MonthSums())
        month.visits += row["visits"]
        month.anonymous += row["anonymous"]
        month.opened += row["opened"]
        month.occupied += row["am"] + row["pm"]


def _sums(sites: QuerySet[Site], start: dt.date, end: dt.date, today: dt.date) -> _Sums:
    """Every rollup figure of the period in two grouped reads (per day, and visits by
    status per month), whatever the number of sites and indicators."""
    sums = _Sums()
    per_day = (
        _rollups(sites, start, end)
        .values("day")
        .annotate(
            opened=Sum("open_half_days"),
            am=Sum("occupied_am"),
            pm=Sum("occupied_pm"),
            visits=Sum("visits"),
            anonymous=Sum("anonymous_visits"),
            booked=Sum("booked_visits"),
            walk_ins=Sum("walk_ins"),
            bookings=Sum("bookings"),
            no_shows=Sum("no_shows"),
            km=Sum("km_avoided"),
            co2=Sum("co2_kg_avoided"),
        )
        .order_by()
    )
    for row in per_day:
        sums.add_day(row, today)
    site_ids = _site_ids(sites)
    for month, status, n in store.status_visits_by_month(site_ids=site_ids, start=start, end=end):
        sums.statuses[status] = sums.statuses.get(status, 0) + n
        if status == SALARIED:
            sums.months.setdefault(month, _MonthSums()).salaried += n
    return sums


def _summary(sites: QuerySet[Site], start: dt.date, end: dt.date, sums: _Sums) -> Summary:
    members = (
        SiteDayMember.objects.filter(site_id__in=_site_ids(sites), day__gte=start, day__lte=end)
        .values("member_id")
        .distinct()
        .count()
    )
    occupied = sums.am + sums.pm
    count = sums.visits
    statuses = dict(sorted(sums.statuses.items()))
    return Summary(
        occupancy_rate=occupied / sums.opened if sums.opened else 0.0,
        open_half_days=sums.opened,
        occupied_half_days=occupied,
        visits=count,
        unique_visitors=members + sums.anonymous,
        share_by_status={s: n / count for s, n in statuses.items() if n},
        no_show_rate=sums.no_shows_due / sums.bookings_due if sums.bookings_due else 0.0,
        km_avoided=sums.km.quantize(KM),
        co2_kg_avoided=sums.co2.quantize(KG),
    )


def summary_for(
    *, sites: QuerySet[Site], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Summary:
    """The figures of the sites from `start` to `end` (days included), read from the
    rollups (equal to summary_raw once they are up to date); see the module's docstring
    for their definitions."""
    now = now or timezone.now()
    return _summary(sites, start, end, _sums(sites, start, end, timezone.localdate(now)))


@dataclass(frozen=True)
class MonthFigures:
    """One month of a trend."""

    month: dt.date
    visits: int
    unique_visitors: int
    occupancy_rate: float
    salaried_share: float


@dataclass(frozen=True)
class Dashboard:
    """Everything the observatory's page shows for a scope and a period."""

    summary: Summary
    visits_by_status: dict[str, int]
    new_members: int
    booked_visits: int
    walk_ins: int
    bookings_due: int
    no_shows: int
    visits_by_weekday: list[int]  # Monday first
    occupied_by_half_day: dict[str, int]  # "am", "pm"
    training_days: Decimal  # learner-days: learner half-days attended / 2
    months: list[MonthFigures]
    salaried_reference: ObservatorySettings | None
    revenue: Revenue = field(default_factory=Revenue)


SALARIED = "salaried_remote"


def training_days_for(*, sites: QuerySet[Site], start: dt.date, end: dt.date) -> Decimal:
    """Learner-days of training at the sites in the period: learner half-days attended
    (a learner present on a half-day of a session, as its attendance sheet says after its
    corrections) divided by two."""
    half_days = learner_half_days_attended(sites=sites, start=start, end=end)
    return (Decimal(half_days) / 2).quantize(Decimal("0.1"))


def new_members_for(*, sites: QuerySet[Site], start: dt.date, end: dt.date) -> int:
    """Members whose first visit to any of the sites falls in the period."""
    firsts = (
        SiteDayMember.objects.filter(site_id__in=_site_ids(sites))
        .values("member_id")
        .annotate(first=Min("day"))
        .filter(first__gte=start, first__lte=end)
    )
    return firsts.count()


def months_for(*, sites: QuerySet[Site], start: dt.date, end: dt.date) -> list[MonthFigures]:
    """Month by month figures from `start` to `end` (days included)."""
    return _months(sites, start, end, _sums(sites, start, end, timezone.localdate()))


def _months(sites: QuerySet[Site], start: dt.date, end: dt.date, sums: _Sums) -> list[MonthFigures]:
    members = {
        r["month"]: r["n"]
        for r in SiteDayMember.objects.filter(
            site_id__in=_site_ids(sites), day__gte=start, day__lte=end
        )
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(n=Count("member_id", distinct=True))
        .order_by("month")
    }
    months: list[MonthFigures] = []
    month = start.replace(day=1)
    while month <= end:
        row = sums.months.get(month, _MonthSums())
        months.append(
            MonthFigures(
                month=month,
                visits=row.visits,
                unique_visitors=(members.get(month) or 0) + row.anonymous,
                occupancy_rate=row.occupied / row.opened if row.opened else 0.0,
                salaried_share=row.salaried / row.visits if row.visits else 0.0,
            )
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def dashboard_for(
    *,
    sites: QuerySet[Site],
    start: dt.date,
    end: dt.date,
    reference_network_id: int | None = None,
    invoice_network_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> Dashboard:
    """The observatory page's figures for the sites over the period, from the rollups;
    revenue from the sites' sales and the invoices of `invoice_network_ids` (see
    revenue.py)."""
    now = now or timezone.now()
    sums = _sums(sites, start, end, timezone.localdate(now))
    reference = (
        ObservatorySettings.objects.filter(network_id=reference_network_id).first()
        if reference_network_id
        else None
    )
    return Dashboard(
        summary=_summary(sites, start, end, sums),
        visits_by_status=dict(sorted(sums.statuses.items())),
        new_members=new_members_for(sites=sites, start=start, end=end),
        booked_visits=sums.booked,
        walk_ins=sums.walk_ins,
        bookings_due=sums.bookings_due,
        no_shows=sums.no_shows_due,
        visits_by_weekday=sums.weekdays,
        occupied_by_half_day={"am": sums.am, "pm": sums.pm},
        training_days=training_days_for(sites=sites, start=start, end=end),
        months=_months(sites, start, end, sums),
        salaried_reference=reference,
        revenue=revenue_for(
            sites=sites, network_ids=invoice_network_ids or [], start=start, end=end
        ),
    )
