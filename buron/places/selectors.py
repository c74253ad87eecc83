"""Reads about places: which sites, when they are open, and why they are closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import holidays
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buron.core.parsing import is_slug

from . import store
from .models import (
    Closure,
    ClosureReason,
    HalfDay,
    Network,
    OpeningPeriod,
    Resource,
    ResourceKind,
    Site,
    Weekday,
)

# The holidays package names France's days in French and in US English only; Buron's
# English is British (as its dates: 1 December 2026), so the few US words are replaced.
_BRITISH = {"Labor Day": "Labour Day"}


@lru_cache(maxsize=64)
def _french_holidays(year: int, language: str) -> dict[dt.date, str]:
    # Metropolitan France; Alsace-Moselle and overseas days would come from a subdivision.
    found = holidays.country_holidays("FR", years=year, language=language).items()
    if language == "fr":
        return dict(found)
    return {day: _BRITISH.get(name, name) for day, name in found}


def public_holidays(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """French public holidays between two days (both included), named in the active language."""
    language = "fr" if (get_language() or "fr").startswith("fr") else "en_US"
    found: dict[dt.date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in _french_holidays(year, language).items():
            if start <= day <= end:
                found[day] = name
    return found


def public_holiday_name(day: dt.date) -> str | None:
    """The French public holiday that day, named in the active language, or None."""
    return public_holidays(day, day).get(day)


@dataclass(frozen=True)
class OpenPeriod:
    half_day: str
    opens: dt.time
    closes: dt.time


@dataclass
class DaySchedule:
    """What a site's day looks like: the half-days it is open, or why it is closed (read
    only: schedules of the same weekday share their list of periods)."""

    day: dt.date
    periods: list[OpenPeriod] = field(default_factory=list)
    closed_because: str | None = None

    @property
    def is_open(self) -> bool:
        return bool(self.periods) and self.closed_because is None

    def period(self, half_day: str) -> OpenPeriod | None:
        if self.closed_because is not None:
            return None
        return next((p for p in self.periods if p.half_day == half_day), None)


NO_PERIODS: list[OpenPeriod] = []


class HasPk(Protocol):
    @property
    def pk(self) -> int: ...


def site_schedules(
    sites: Sequence[HasPk],
    start: dt.date,
    end: dt.date,
    *,
    among: QuerySet[Site] | None = None,
) -> dict[int, dict[dt.date, DaySchedule]]:
    """Each site's schedule for each day from start to end, in two queries whatever the
    number of sites: opening hours, then closures; public holidays close every site.

    Give `among`, the queryset the sites come from, when they are many: the database then
    selects their hours with it as a subquery rather than with thousands of ids."""
    site_ids = [s.pk for s in sites]
    site_filter: dict[str, object] = (
        {"site__in": among.values("pk")} if among is not None else {"site_id__in": site_ids}
    )
    # Only the weekdays the range covers, as plain values: a one-day search across a
    # national network reads a seventh of the opening hours and builds no model objects.
    weekdays = {
        (start + dt.timedelta(days=n)).weekday() for n in range(min((end - start).days + 1, 7))
    }
    periods: dict[int, dict[int, list[OpenPeriod]]] = {pk: {} for pk in site_ids}
    rows = (
        OpeningPeriod.objects.filter(weekday__in=weekdays, **site_filter)
        .order_by("half_day")
        .values_list("site_id", "weekday", "half_day", "opens", "closes")
    )
    # Most sites keep the same hours: equal periods, lists and schedules are made once and
    # shared (a national search builds a few dozen objects instead of thousands).
    made_periods: dict[tuple[str, dt.time, dt.time], OpenPeriod] = {}
    for site_id, weekday, half_day, opens, closes in rows:
        if site_id in periods:
            key = (half_day, opens, closes)
            made = made_periods.get(key)
            if made is None:
                made = made_periods[key] = OpenPeriod(half_day, opens, closes)
            periods[site_id].setdefault(weekday, []).append(made)
    made_lists: dict[tuple[OpenPeriod, ...], list[OpenPeriod]] = {}
    for by_weekday in periods.values():
        for weekday, listed in by_weekday.items():
            by_weekday[weekday] = made_lists.setdefault(tuple(listed), listed)
    closures: dict[int, list[Closure]] = {}
    for closure in Closure.objects.filter(
        start_date__lte=end, end_date__gte=start, **site_filter
    ).order_by("start_date", "pk"):
        closures.setdefault(closure.site_id, []).append(closure)
    bank = _holiday_reasons(start, end)
    weekday_closed = _("Closed on this weekday")
    reason_labels = closure_reason_labels()
    days_of_range = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]

    result: dict[int, dict[dt.date, DaySchedule]] = {}
    made_schedules: dict[tuple[dt.date, int, str | None], DaySchedule] = {}
    for pk in site_ids:
        days: dict[dt.date, DaySchedule] = {}
        site_periods = periods[pk]
        site_closures = closures.get(pk)
        for day in days_of_range:
            # The periods' list is shared by the days of a weekday: schedules are read-only.
            day_periods = site_periods.get(day.weekday(), NO_PERIODS)
            closed_because = _closed_because(
                day,
                opens_that_weekday=bool(day_periods),
                site_closures=site_closures,
                bank=bank,
                reason_labels=reason_labels,
                weekday_closed=weekday_closed,
            )
            key_made = (day, id(day_periods), closed_because)
            schedule = made_schedules.get(key_made)
            if schedule is None:
                schedule = made_schedules[key_made] = DaySchedule(day, day_periods, closed_because)
            days[day] = schedule
        result[pk] = days
    return result


def _holiday_reasons(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Why public holidays between start and end close every site, in the active language."""
    return {
        day: _("Public holiday: %(name)s") % {"name": name}
        for day, name in public_holidays(start, end).items()
    }


def _closed_because(
    day: dt.date,
    *,
    opens_that_weekday: bool,
    site_closures: list[Closure] | None,
    bank: dict[dt.date, str],
    reason_labels: dict[str, str],
    weekday_closed: str,
) -> str | None:
    """THE rule for whether a site is open on a day, and why not: a public holiday, else
    its first closure covering the day (the one that began first; give them in that
    order), else no opening hours on that weekday; None when open. Every schedule
    (site_schedules, site_days, site_day, day_openings) is made through it, and the
    booking app's statements are checked against it."""
    if day in bank:
        return bank[day]
    if site_closures:
        closed = next((c for c in site_closures if c.start_date <= day <= c.end_date), None)
        if closed is not None:
            return closure_label(closed, reason_labels)
    return None if opens_that_weekday else weekday_closed


def closure_reason_labels() -> dict[str, str]:
    """The closure reasons in the active language, translated once per language and kept
    (a model's get_FOO_display hashes its lazy choices at each call; every booking asks).
    Read only."""
    return _reason_labels(get_language() or "")


@lru_cache(maxsize=16)
def _reason_labels(language: str) -> dict[str, str]:
    return {value: str(label) for value, label in ClosureReason.choices}


def closure_label(closure: Closure, reason_labels: dict[str, str]) -> str:
    """Why a closure closes the site, in words: its reason, and its note when it has one."""
    label = reason_labels.get(closure.reason, closure.reason)
    return f"{label} — {closure.note}" if closure.note else label


@dataclass(frozen=True)
class DayOpening:
    """A site's day in short, without its times: the half-days it opens, or why it is
    closed (the same reasons, in the same order, as its DaySchedule)."""

    am: bool
    pm: bool
    closed_because: str | None

    @property
    def is_open(self) -> bool:
        return self.closed_because is None and (self.am or self.pm)

    def opens(self, half_day: str) -> bool:
        return self.closed_because is None and (self.am if half_day == "am" else self.pm)


def day_openings(
    *, flags: Iterable[tuple[int, bool, bool]], among: QuerySet[Site], day: dt.date
) -> dict[int, DayOpening]:
    """Each site's day from (site id, opens_am, opens_pm) rows — whether it has opening
    hours on the day's weekday for each half-day (store.published_sites_on) — plus one read
    of that day's closures, whatever the number of sites: how a search across a whole
    country learns which sites open, reading no hours."""
    bank = _holiday_reasons(day, day)
    closures: dict[int, list[Closure]] = {}
    if day not in bank:
        for closure in Closure.objects.filter(
            start_date__lte=day, end_date__gte=day, site__in=among.values("pk")
        ).order_by("start_date", "pk"):
            closures.setdefault(closure.site_id, []).append(closure)
    reason_labels = closure_reason_labels()
    weekday_closed = _("Closed on this weekday")
    made: dict[tuple[bool, bool, str | None], DayOpening] = {}
    found: dict[int, DayOpening] = {}
    for site_id, am, pm in flags:
        closed_because = _closed_because(
            day,
            opens_that_weekday=am or pm,
            site_closures=closures.get(site_id),
            bank=bank,
            reason_labels=reason_labels,
            weekday_closed=weekday_closed,
        )
        key = (am, pm, closed_because)
        opening = made.get(key)
        if opening is None:
            opening = made[key] = DayOpening(am, pm, closed_because)
        found[site_id] = opening
    return found


def site_days(site: HasPk, start: dt.date, end: dt.date) -> dict[dt.date, DaySchedule]:
    """One site's schedule for each day from start to end, as site_schedules gives it, in
    two short statements (a booking asks when its rules are not in the cache, and a
    "just taken" answer for the next days)."""
    rows, closures = store.site_rows(site_id=site.pk, start=start, end=end)
    periods: dict[int, list[OpenPeriod]] = {}
    for row in rows:
        periods.setdefault(row.weekday, []).append(OpenPeriod(row.half_day, row.opens, row.closes))
    return _days_of(start, end, periods, closures)


def site_day(day: dt.date, found: store.SiteDayRows) -> DaySchedule:
    """One site's schedule that day from the rows another app read with
    store.site_day_source: what site_days gives for it."""
    periods = [OpenPeriod(p.half_day, p.opens, p.closes) for p in found.periods]
    return _days_of(day, day, {day.weekday(): periods} if periods else {}, found.closures)[day]


def _days_of(
    start: dt.date,
    end: dt.date,
    periods: dict[int, list[OpenPeriod]],
    closures: list[Closure],
) -> dict[dt.date, DaySchedule]:
    """Each day's schedule from a site's periods by weekday and its closures (in the order
    they began): public holidays first, then closures, then the weekday's hours."""
    bank = _holiday_reasons(start, end)
    reason_labels = closure_reason_labels()
    weekday_closed = _("Closed on this weekday")
    found = {}
    for n in range((end - start).days + 1):
        day = start + dt.timedelta(days=n)
        day_periods = periods.get(day.weekday(), NO_PERIODS)
        closed_because = _closed_because(
            day,
            opens_that_weekday=bool(day_periods),
            site_closures=closures,
            bank=bank,
            reason_labels=reason_labels,
            weekday_closed=weekday_closed,
        )
        found[day] = DaySchedule(day, day_periods, closed_because)
    return found


def site_schedule(site: HasPk, day: dt.date) -> DaySchedule:
    """One site's schedule that day (site_days for one day)."""
    return site_days(site, day, day)[day]


def published_site(slug: str) -> Site | None:
    """The published site with that short name, its network loaded (one statement: every
    booking by site name asks)."""
    if not is_slug(slug):
        return None
    return store.published_site_row(slug=slug)


def published_sites(network: Network | None = None) -> QuerySet[Site]:
    """The published sites, of one network or of all, in name order."""
    qs = Site.objects.filter(is_published=True).select_related("network", "parent")
    if network is not None:
        qs = qs.filter(network=network)
    return qs.order_by("name")


def _hours_and_active_resources() -> tuple[Prefetch[Any], Prefetch[Any]]:
    return (
        Prefetch("opening_periods", queryset=OpeningPeriod.objects.order_by("weekday", "half_day")),
        Prefetch("resources", queryset=Resource.objects.filter(is_active=True)),
    )


def site_for_page(slug: str) -> Site:
    """A published site with everything its page shows, in a fixed number of queries."""
    if not is_slug(slug):
        raise Site.DoesNotExist
    return (
        published_sites()
        .prefetch_related(
            "amenities",
            *_hours_and_active_resources(),
            Prefetch("annexes", queryset=Site.objects.filter(is_published=True)),
        )
        .get(slug=slug)
    )


def site_with_resources(slug: str) -> Site:
    """A published site with its active resources and its opening hours, in three queries."""
    if not is_slug(slug):
        raise Site.DoesNotExist
    return published_sites().prefetch_related(*_hours_and_active_resources()).get(slug=slug)


def upcoming_closures(site: Site, today: dt.date, days: int = 120) -> list[Closure]:
    """The site's closures not over yet and starting within `days` days."""
    return list(
        Closure.objects.filter(
            site=site, end_date__gte=today, start_date__lte=today + dt.timedelta(days=days)
        ).order_by("start_date")
    )


def weekly_hours(site: Site) -> list[tuple[int, str, OpenPeriod | None, OpenPeriod | None]]:
    """Rows Monday→Sunday: (weekday, label, morning, afternoon), from prefetched periods."""
    by_day: dict[int, dict[str, OpenPeriod]] = {}
    for row in site.opening_periods.all():
        by_day.setdefault(row.weekday, {})[row.half_day] = OpenPeriod(
            row.half_day, row.opens, row.closes
        )
    return [
        (
            value,
            str(label),
            by_day.get(value, {}).get(HalfDay.MORNING),
            by_day.get(value, {}).get(HalfDay.AFTERNOON),
        )
        for value, label in Weekday.choices
    ]


def published_sites_with_counts() -> list[Site]:
    """Published sites with their number of active desks and rooms, in one query."""
    active = Q(resources__is_active=True)
    return list(
        published_sites().annotate(
            desk_count=Count("resources", filter=active & Q(resources__kind=ResourceKind.DESK)),
            room_count=Count("resources", filter=active & ~Q(resources__kind=ResourceKind.DESK)),
        )
    )


def networks() -> list[Network]:
    """Every network, in name order (the operators publishing this site)."""
    return list(Network.objects.order_by("name"))
