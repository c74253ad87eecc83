"""Reads about bookings: availability across the network, plans, a member's bookings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.accounts.selectors import Scope, staff_scope
from buron.accounts.services import calendar_digest
from buron.core.geo import distance_km
from buron.offers.selectors import PriceAhead, prices_ahead
from buron.places import store as places_store
from buron.places.models import BookingUnit, OpeningPeriod, Resource, ResourceKind, Site
from buron.places.selectors import (
    DaySchedule,
    day_openings,
    public_holiday_name,
    site_days,
    site_schedules,
)

from . import store
from .bookable import (
    NotBookable,
    SiteRules,
    bookable_hours,
    half_day_refusal,
    when_refusal,
)
from .models import (
    Booking,
    BookingKind,
    BookingPolicy,
    BookingSeries,
    BookingSlot,
    BookingStatus,
    Period,
)
from .slots import HALF_DAY_NAME, HALF_DAY_SLOTS, half_day_span, local_datetime, open_hours, zone

# The rules when a network has set none: the model's own defaults.
DEFAULT_POLICY = BookingPolicy()


def policy_among(found: Iterable[BookingPolicy]) -> BookingPolicy:
    """THE rule for which booking policy applies to a site, given the policies that may
    (its own and its network's): its own, else its network's, else the defaults."""
    found = list(found)
    own = [p for p in found if p.site_id is not None]
    return (own or found or [DEFAULT_POLICY])[0]


def _policies(site_networks: set[tuple[int, int]]) -> dict[int, BookingPolicy]:
    """policy_among for each site, given as (site id, network id) pairs (one statement
    whatever the number of sites)."""
    by_site: dict[int, list[BookingPolicy]] = defaultdict(list)
    by_network: dict[int, list[BookingPolicy]] = defaultdict(list)
    for policy in store.policies_of_sites(
        site_ids={s for s, _n in site_networks}, network_ids={n for _s, n in site_networks}
    ):
        if policy.site_id is None:
            by_network[policy.network_id].append(policy)
        else:
            by_site[policy.site_id].append(policy)
    return {
        site_id: policy_among([*by_site[site_id], *by_network[network_id]])
        for site_id, network_id in site_networks
    }


def policy_for(site: Site) -> BookingPolicy:
    """policy_among the site's own and its network's policies (one statement: a booking
    asks for them when its rules are not in the cache)."""
    return policy_among(store.site_policies(site_id=site.pk, network_id=site.network_id))


@dataclass
class FreeResource:
    """A free resource, with the fields (and names) of the API's answer."""

    id: int
    name: str
    kind: str
    capacity: int
    free_hours: list[int] | None = None  # for resources booked by the hour

    @property
    def lengths(self) -> range:
        """The numbers of hours that fit in the longest run of free hours (rooms)."""
        return range(1, longest_run(self.free_hours or []) + 1)


def longest_run(hours: list[int]) -> int:
    """The length of the longest run of consecutive hours."""
    longest = run = 0
    previous: int | None = None
    for hour in sorted(hours):
        run = run + 1 if previous is not None and hour == previous + 1 else 1
        longest = max(longest, run)
        previous = hour
    return longest


@dataclass(frozen=True)
class SiteSummary:
    """What an availability answer says of a site (read as plain values: a national search
    lists thousands of sites)."""

    pk: int
    network_id: int
    slug: str
    name: str
    commune_name: str
    time_zone: str
    # Read only when distances are asked for.
    latitude: Decimal | None = None
    longitude: Decimal | None = None


SUMMARY_FIELDS = ("pk", "network_id", "slug", "name", "commune_name", "network__time_zone")


@dataclass
class SiteAvailability:
    site: SiteSummary
    is_open: bool  # open at all that day
    closed_because: str | None
    free: list[FreeResource] = field(default_factory=list)
    distance_km: float | None = None
    # Open, but nothing can be booked: over already, or beyond the booking horizon.
    not_bookable_because: str | None = None
    # What booking there would cost the member (with_prices), for the pages.
    price: PriceAhead | None = None

    @property
    def free_count(self) -> int:
        return len(self.free)


def with_prices(
    results: list[SiteAvailability], *, member: User | None, day: dt.date, period: str, kind: str
) -> None:
    """Put beside each site with something to book what it would cost the member: the
    right that would cover it, else the pay-as-you-go price (buron.offers.selectors.
    prices_ahead, the same choice as the booking's coverage; three statements)."""
    prices = prices_ahead(
        member=member,
        sites={(r.site.pk, r.site.network_id) for r in results if r.free},
        day=day,
        period=period,
        resource_kind=kind,
    )
    for result in results:
        result.price = prices.get(result.site.pk)


def _english() -> bool:
    """Whether resources are named in English (their English name, when they have one)."""
    return (get_language() or "fr")[:2] == "en"


def _period_open(schedule: DaySchedule, period: str) -> bool:
    return all(schedule.period(HALF_DAY_NAME[s]) is not None for s in HALF_DAY_SLOTS[period])


def _networks(results: dict[int, SiteAvailability]) -> list[int]:
    """The networks of the sites searched. A slot always carries its resource's network:
    naming them lets the database read the day's slots from the (network, day, resource)
    index, network by network, instead of probing every resource or scanning every day
    (and it is the distribution column when bookings are partitioned by network)."""
    return sorted({r.site.network_id for r in results.values()})


def _half_day_free(
    results: dict[int, SiteAvailability],
    *,
    published: QuerySet[Site],
    among: set[int] | None,
    day: dt.date,
    period: str,
    kind: str,
    located: bool,
) -> None:
    """Desks and offices, booked by the half-day: whether each site opens then is all that
    matters, read with the sites themselves (no opening times), plus that day's closures.
    Written by hand (places.store, store): built by the ORM, these reads cost ten times
    what the database takes to answer them."""
    rows = [
        row
        for row in places_store.published_sites_on(
            day=day, kind=kind, located=located, site_ids=among
        )
        if row.has_kind  # no resource of that kind: the site is not offered
    ]
    openings = day_openings(
        flags=((r.pk, r.opens_am, r.opens_pm) for r in rows), among=published, day=day
    )
    bookable = set()
    for row in rows:
        site = SiteSummary(
            row.pk,
            row.network_id,
            row.slug,
            row.name,
            row.commune_name,
            row.time_zone,
            row.latitude,
            row.longitude,
        )
        opening = openings[site.pk]
        results[site.pk] = SiteAvailability(site, opening.is_open, opening.closed_because)
        if all(opening.opens(HALF_DAY_NAME[s]) for s in HALF_DAY_SLOTS[period]):
            bookable.add(site.pk)
    if not bookable:
        return
    english = _english()
    for rid, site_id, name, name_en, capacity in store.free_everywhere_rows(
        day=day,
        period=period,
        kind=kind,
        unit=BookingUnit.HALF_DAY,
        networks={results[pk].site.network_id for pk in bookable},
        site_ids=None if among is None else bookable,
    ):
        if site_id in bookable:
            shown = name_en if english and name_en else name
            results[site_id].free.append(FreeResource(rid, shown, kind, capacity))


def _any_unit_free(
    results: dict[int, SiteAvailability],
    *,
    published: QuerySet[Site],
    resources: QuerySet[Resource],
    fields: tuple[str, ...],
    day: dt.date,
    period: str,
) -> None:
    """Rooms (by the hour, with their free hours) and any other kind: from each site's
    schedule and the day's held slots."""
    rows = list(
        resources.order_by("site_id", "name").values_list(
            "id", "site_id", "name", "kind", "capacity", "booking_unit", "name_en"
        )
    )
    english = _english()
    with_kind = {row[1] for row in rows}  # sites without that kind are not offered
    site_list = [SiteSummary(*row) for row in published.values_list(*fields) if row[0] in with_kind]
    schedules = site_schedules(site_list, day, day, among=published)
    for site in site_list:
        schedule = schedules[site.pk][day]
        results[site.pk] = SiteAvailability(site, schedule.is_open, schedule.closed_because)
    taken: dict[int, set[int]] = defaultdict(set)
    for rid, slot in BookingSlot.objects.filter(
        network_id__in=_networks(results),
        resource_id__in=[r[0] for r in rows],
        day=day,
        is_active=True,
    ).values_list("resource_id", "slot"):
        taken[rid].add(slot)
    for rid, site_id, name, rkind, capacity, rounit, name_en in rows:
        name = name_en if english and name_en else name
        schedule = schedules[site_id][day]
        if not schedule.is_open:
            continue
        if rounit == BookingUnit.HOUR:
            hours = [h for h in open_hours(schedule, period) if h not in taken[rid]]
            if hours:
                results[site_id].free.append(FreeResource(rid, name, rkind, capacity, hours))
        elif _period_open(schedule, period) and not taken[rid] & set(HALF_DAY_SLOTS[period]):
            results[site_id].free.append(FreeResource(rid, name, rkind, capacity))


def _keep_bookable(
    results: dict[int, SiteAvailability], *, day: dt.date, period: str, now: dt.datetime
) -> None:
    """Take out of the results what the definition of bookable (buron.booking.bookable)
    refuses: a day over or beyond the site's booking horizon, today's periods and hours
    already over. One read of the sites' policies, and of today's hours when the day
    searched is today somewhere."""
    offered = [r for r in results.values() if r.free]
    if not offered:
        return
    policies = _policies({(r.site.pk, r.site.network_id) for r in offered})
    # Today on each network's clock (a national search lists thousands of sites, a few zones).
    todays = {tz: now.astimezone(zone(tz)).date() for tz in {r.site.time_zone for r in offered}}
    today = [r.site for r in offered if todays[r.site.time_zone] == day]
    schedules = site_schedules(today, day, day) if today else {}
    # The day's refusal depends only on the clock and the policy: asked once for each pair.
    refusals: dict[tuple[str, int], NotBookable | None] = {}
    for r in offered:
        site = r.site
        policy = policies[site.pk]
        if site.pk in schedules:
            rules = SiteRules(site.name, site.time_zone, schedules[site.pk][day], policy)
            _keep_bookable_today(r, rules, period=period, now=now)
            continue
        key = (site.time_zone, id(policy))
        if key not in refusals:
            refusals[key] = when_refusal(
                day=day, end=None, now=now, time_zone=site.time_zone, policy=policy
            )
        refused = refusals[key]
        if refused is not None:
            r.free, r.not_bookable_because = [], refused.message


def _keep_bookable_today(
    result: SiteAvailability, rules: SiteRules, *, period: str, now: dt.datetime
) -> None:
    """_keep_bookable for a site where the day searched is today: its periods and hours
    over already are not offered."""
    _span, refused = half_day_refusal(rules, period=period, now=now)
    hours = set(bookable_hours(rules, period=period, now=now))
    kept = []
    for free in result.free:
        if free.free_hours is None:
            if refused is None:
                kept.append(free)
        else:
            free.free_hours = [h for h in free.free_hours if h in hours]
            if free.free_hours:
                kept.append(free)
    result.free = kept
    if not kept:
        result.not_bookable_because = (refused or NotBookable("past", _over())).message


def _over() -> str:
    return _("This time is already over.")


def _nearest_first(ordered: list[SiteAvailability], near: tuple[float, float]) -> None:
    for r in ordered:
        latitude, longitude = r.site.latitude, r.site.longitude  # read when `near`
        if latitude is not None and longitude is not None:
            r.distance_km = round(distance_km(near[0], near[1], latitude, longitude), 1)
    ordered.sort(key=lambda r: (r.distance_km or 0.0, r.site.name))


def availability(
    *,
    day: dt.date,
    period: str,
    kind: str = ResourceKind.DESK,
    sites: QuerySet[Site] | None = None,
    near: tuple[float, float] | None = None,
    now: dt.datetime | None = None,
) -> list[SiteAvailability]:
    """For each published site with resources of that kind: which of them can be booked on
    that day and period — free, and bookable by the one definition (buron.booking.bookable:
    open, not over, within the horizon). A fixed number of queries whatever the number of
    sites and bookings."""
    published = (sites if sites is not None else Site.objects.all()).filter(is_published=True)
    results: dict[int, SiteAvailability] = {}
    if kind in (ResourceKind.DESK, ResourceKind.PRIVATE_OFFICE):
        _half_day_free(
            results,
            published=published,
            among=None if sites is None else set(published.values_list("pk", flat=True)),
            day=day,
            period=period,
            kind=kind,
            located=near is not None,
        )
    else:
        published = published.order_by("name")
        fields = SUMMARY_FIELDS + (("latitude", "longitude") if near is not None else ())
        resources = Resource.objects.filter(site__in=published, kind=kind, is_active=True)
        _any_unit_free(
            results, published=published, resources=resources, fields=fields, day=day, period=period
        )
    _keep_bookable(results, day=day, period=period, now=now or timezone.now())
    ordered = list(results.values())  # by name, as read
    if near is not None:
        _nearest_first(ordered, near)
    return ordered


@dataclass
class WeekCell:
    day: dt.date
    free: int
    closed_because: str | None
    # Open, but not bookable: "past" or "too_far_ahead" (buron.booking.bookable's codes).
    not_bookable: str | None = None


def availability_week(
    *,
    start: dt.date,
    days: int,
    period: str,
    kind: str = ResourceKind.DESK,
    sites: QuerySet[Site] | None = None,
    now: dt.datetime | None = None,
) -> list[tuple[Site, list[WeekCell]]]:
    """Free counts per site with resources of that kind and per day over several days, at
    a glance (four queries plus the schedules, whatever the number of sites and bookings).
    A desk or office counts as free when the period's half-days are; a room booked by the
    hour while at least one of the period's open hours is; what the definition of bookable
    refuses (over, beyond the horizon) is not free (the same answer as `availability`,
    day by day)."""
    if sites is None:
        sites = Site.objects.all()
    now = now or timezone.now()
    resources = Resource.objects.filter(
        site__in=sites.filter(is_published=True), kind=kind, is_active=True
    )
    by_site: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for rid, site_id, unit in resources.values_list("id", "site_id", "booking_unit"):
        by_site[site_id].append((rid, unit == BookingUnit.HOUR))
    site_list = [
        s
        for s in sites.filter(is_published=True).select_related("network").order_by("name")
        if s.pk in by_site
    ]
    end = start + dt.timedelta(days=days - 1)
    schedules = site_schedules(site_list, start, end)
    policies = _policies({(s.pk, s.network_id) for s in site_list})
    taken: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for rid, day, slot in BookingSlot.objects.filter(
        resource__in=resources, day__gte=start, day__lte=end, is_active=True
    ).values_list("resource_id", "day", "slot"):
        taken[(rid, day)].add(slot)
    half_days = set(HALF_DAY_SLOTS[period])
    half_day_kind = kind in (ResourceKind.DESK, ResourceKind.PRIVATE_OFFICE)
    table = []
    for site in site_list:
        cells = []
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            schedule = schedules[site.pk][day]
            period_open = _period_open(schedule, period)
            hours = set(open_hours(schedule, period))
            if not schedule.is_open or (not period_open and (half_day_kind or not hours)):
                reason = schedule.closed_because or str(Period(period).label)
                cells.append(WeekCell(day, 0, reason))
                continue
            rules = SiteRules(site.name, site.network.time_zone, schedule, policies[site.pk])
            refused = _week_refusal(rules, period=period, now=now)
            hours = set(bookable_hours(rules, period=period, now=now))
            if refused is not None and (half_day_kind or not hours):
                cells.append(WeekCell(day, 0, None, refused.code))
                continue
            free = 0
            for rid, hourly in by_site[site.pk]:
                held = taken.get((rid, day), set())
                # A room is taken only once every open hour of the period is booked.
                if (hours - held) if hourly else (period_open and not half_days & held):
                    free += 1
            cells.append(WeekCell(day, free, None))
        table.append((site, cells))
    return table


def _week_refusal(rules: SiteRules, *, period: str, now: dt.datetime) -> NotBookable | None:
    """Why a cell of the week cannot be booked: the period over (or the day, for a room
    in a period the site only partly opens), or beyond the horizon."""
    span = half_day_span(rules.schedule, period, rules.time_zone)
    return when_refusal(
        day=rules.schedule.day,
        end=span.end if span else None,
        now=now,
        time_zone=rules.time_zone,
        policy=rules.policy,
    )


def room_hours(*, site: Site, day: dt.date | None, now: dt.datetime) -> list[int]:
    """The hours a room of the site can be booked for on that day (the definition of
    bookable: open, not over, within the horizon); without a day, or when nothing can be
    booked that day (the booking then says why), the hours the site opens on some weekday.
    Give the site with its network."""
    if day is not None:
        rules = SiteRules(
            site.name, site.network.time_zone, site_days(site, day, day)[day], policy_for(site)
        )
        found = bookable_hours(rules, now=now)
        if found:
            return found
    hours: set[int] = set()
    for opens, closes in OpeningPeriod.objects.filter(site=site).values_list("opens", "closes"):
        hours.update(h for h in range(23) if opens <= dt.time(h) and dt.time(h + 1) <= closes)
    return sorted(hours)


def bookable_resource(*, resource_id: int | None) -> Resource | None:
    """The resource with that id at a published site, its site and network loaded; None
    when there is none (whether it is active is the booking's rule to tell)."""
    if resource_id is None:
        return None
    return (
        Resource.objects.select_related("site__network")
        .filter(pk=resource_id, site__is_published=True)
        .first()
    )


def member_bookings(*, user: User, upcoming: bool, now: dt.datetime) -> QuerySet[Booking]:
    """A member's bookings: upcoming ones (soonest first), or past and cancelled ones
    (latest first)."""
    qs = Booking.objects.filter(member=user, kind=BookingKind.BOOKING).select_related(
        "site", "resource", "network"
    )
    if upcoming:
        return qs.filter(end__gt=now, status=BookingStatus.ACTIVE).order_by("start")
    return qs.filter(Q(end__lte=now) | Q(status=BookingStatus.CANCELLED)).order_by("-start")


def managed_sites(*, scope: Scope) -> QuerySet[Site]:
    """The sites a staff member manages (none for a member: deny by default)."""
    if scope.everything:
        return Site.objects.all()
    return Site.objects.filter(Q(network_id__in=scope.network_ids) | Q(pk__in=scope.site_ids))


def _window(site: Site, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From midnight starting `start` to midnight ending `end`, in the site's time zone.
    Give the site with its network."""
    tz = site.network.time_zone
    return (
        local_datetime(start, dt.time(0), tz),
        local_datetime(end + dt.timedelta(days=1), dt.time(0), tz),
    )


def site_plan(*, site: Site, start: dt.date, days: int) -> list[Booking]:
    """The active bookings and blocks of a site over some days, for its host's plan: those
    whose time overlaps the days (one query). A block is listed even where bookings made
    before it still hold every slot. Give the site with its network."""
    window_start, window_end = _window(site, start, start + dt.timedelta(days=days - 1))
    return list(
        Booking.objects.filter(
            site=site,
            status=BookingStatus.ACTIVE,
            start__lt=window_end,
            end__gt=window_start,
        )
        .select_related("resource", "member")
        .order_by("start", "resource__name")
    )


# --- Reads for the member and host pages ---------------------------------------------------


def _cancellable(
    booking: Booking, *, policy: BookingPolicy, by: User, manages: bool, now: dt.datetime
) -> tuple[bool, dt.datetime]:
    deadline = booking.start - dt.timedelta(hours=policy.cancellation_deadline_hours)
    if booking.status != BookingStatus.ACTIVE or booking.end <= now:
        return False, deadline
    if manages:
        return True, deadline
    return booking.member_id == by.pk and now <= deadline, deadline


def booking_cancellable(
    *, booking: Booking, by: User, now: dt.datetime
) -> tuple[bool, dt.datetime]:
    """Whether `by` may cancel the booking now, and the deadline of its member: until the
    start less the site's cancellation notice for its member; at any time for staff who
    manage the site; never once it is over or cancelled."""
    return _cancellable(
        booking,
        policy=policy_for(booking.site),
        by=by,
        manages=staff_scope(user=by).covers_site(booking.site),
        now=now,
    )


def cancellation_deadlines(
    *, bookings: list[Booking], by: User, now: dt.datetime
) -> dict[int, tuple[bool, dt.datetime]]:
    """`booking_cancellable` for each booking (two queries whatever their number: the
    rules of their sites, and what `by` manages). Give the bookings with their site."""
    if not bookings:
        return {}
    policies = _policies({(b.site_id, b.network_id) for b in bookings})
    scope = staff_scope(user=by)
    return {
        b.pk: _cancellable(
            b, policy=policies[b.site_id], by=by, manages=scope.covers_site(b.site), now=now
        )
        for b in bookings
    }


def member_calendar(*, user: User, since: dt.datetime) -> QuerySet[Booking]:
    """A member's bookings for their calendar feed, cancelled ones included, from `since`."""
    return (
        Booking.objects.filter(member=user, kind=BookingKind.BOOKING, end__gte=since)
        .select_related("site", "resource")
        .order_by("start", "pk")
    )


@dataclass
class SeriesDay:
    """One day a recurring booking asked for."""

    day: dt.date
    bookings: list[Booking]  # the confirmed bookings for that day (none when not booked)
    cancelled: list[Booking]  # those cancelled since; a moved booking leaves one here


def series_occurrences(*, series: BookingSeries) -> list[SeriesDay]:
    """Each day a recurring booking asked for, with its confirmed bookings and, apart, its
    cancelled ones (one query). Give the series with select_related("site__network")."""
    weekdays = {int(w) for w in series.weekdays.split(",") if w.strip().isdigit()}
    tz = zone(series.site.network.time_zone)
    active: dict[dt.date, list[Booking]] = defaultdict(list)
    cancelled: dict[dt.date, list[Booking]] = defaultdict(list)
    for booking in series.bookings.select_related("resource").order_by("start", "pk"):
        made = active if booking.status == BookingStatus.ACTIVE else cancelled
        made[booking.start.astimezone(tz).date()].append(booking)
    return [
        SeriesDay(day, active.get(day, []), cancelled.get(day, []))
        for day in (
            series.start_date + dt.timedelta(days=offset)
            for offset in range((series.end_date - series.start_date).days + 1)
        )
        if day.weekday() in weekdays
    ]


def block_bookings(*, block: Booking) -> list[Booking]:
    """The confirmed bookings still sitting on a blocked resource during its block."""
    return list(
        Booking.objects.filter(
            resource_id=block.resource_id,
            kind=BookingKind.BOOKING,
            status=BookingStatus.ACTIVE,
            start__lt=block.end,
            end__gt=block.start,
        )
        .select_related("member", "resource", "site")
        .order_by("start")
    )


def move_options(*, bookings: list[Booking]) -> dict[int, list[Resource]]:
    """For each booking, the other active resources of its site and kind that are free for
    all of its slots (three queries whatever the number of bookings)."""
    if not bookings:
        return {}
    held: dict[int, set[tuple[dt.date, int]]] = defaultdict(set)
    for booking_id, day, slot in BookingSlot.objects.filter(
        booking__in=[b.pk for b in bookings], is_active=True
    ).values_list("booking_id", "day", "slot"):
        held[booking_id].add((day, slot))
    days = {day for slots in held.values() for day, _slot in slots}
    resources = list(
        Resource.objects.filter(site_id__in={b.site_id for b in bookings}, is_active=True).order_by(
            "name"
        )
    )
    taken: dict[int, set[tuple[dt.date, int]]] = defaultdict(set)
    for resource_id, day, slot in BookingSlot.objects.filter(
        resource__in=resources, day__in=days, is_active=True
    ).values_list("resource_id", "day", "slot"):
        taken[resource_id].add((day, slot))
    options: dict[int, list[Resource]] = {}
    for b in bookings:
        options[b.pk] = [
            r
            for r in resources
            if r.site_id == b.site_id
            and r.kind == b.resource.kind
            and r.pk != b.resource_id
            and held[b.pk]
            and not (held[b.pk] & taken[r.pk])
        ]
    return options


@dataclass
class PlanCell:
    holder: Booking | None  # the booking or block holding the slot, None when free
    is_open: bool  # whether the site is open then
    # The block on the resource that day, also when a booking made before it, still to be
    # moved, holds the slot.
    block: Booking | None = None


@dataclass
class PlanRow:
    """One resource of a site's plan and each of its columns."""

    resource: Resource
    cells: list[PlanCell]


@dataclass
class DayPlan:
    day: dt.date
    schedule: DaySchedule
    half_day_rows: list[PlanRow]  # columns: morning, afternoon
    hours: list[int]  # the columns of the rooms booked by the hour
    hour_rows: list[PlanRow]


@dataclass
class PlanDayCell:
    is_open: bool
    # The block on the resource that day first, if any, then the bookings holding it, in
    # order (under a block, the bookings still to move).
    holders: list[Booking]
    block: Booking | None = None


@dataclass
class WeekRow:
    resource: Resource
    days: list[PlanDayCell]


@dataclass
class WeekPlan:
    schedules: list[DaySchedule]
    rows: list[WeekRow]


def _held_slots(
    site: Site, start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date, int], Booking]:
    """Who holds each slot of a site's resources between two days (one query)."""
    held: dict[tuple[int, dt.date, int], Booking] = {}
    for slot in BookingSlot.objects.filter(
        resource__site=site, day__gte=start, day__lte=end, is_active=True
    ).select_related("booking__member"):
        held[(slot.resource_id, slot.day, slot.slot)] = slot.booking
    return held


def _blocked_days(site: Site, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], Booking]:
    """The active block on each resource of a site and each day between two days, chosen by
    time, not by slot: a block holds only the slots that were free, so on a day when
    bookings still hold all of them it would not show otherwise (one query)."""
    window_start, window_end = _window(site, start, end)
    tz = zone(site.network.time_zone)
    blocked: dict[tuple[int, dt.date], Booking] = {}
    for block in Booking.objects.filter(
        site=site,
        kind=BookingKind.BLOCK,
        status=BookingStatus.ACTIVE,
        start__lt=window_end,
        end__gt=window_start,
    ).order_by("start", "pk"):
        first = max(block.start.astimezone(tz).date(), start)
        # A block ends at midnight after its last day.
        last = min((block.end - dt.timedelta(microseconds=1)).astimezone(tz).date(), end)
        for offset in range((last - first).days + 1):
            blocked.setdefault((block.resource_id, first + dt.timedelta(days=offset)), block)
    return blocked


def _plan_resources(site: Site) -> list[Resource]:
    return list(Resource.objects.filter(site=site).order_by("kind", "name"))


def site_plan_day(*, site: Site, day: dt.date) -> DayPlan:
    """A site's day at a glance for its host: resources × half-days or hours, with who holds
    each and the blocks (five queries whatever the number of resources, bookings and
    blocks). Give the site with its network."""
    schedule = site_schedules([site], day, day)[site.pk][day]
    held = _held_slots(site, day, day)
    blocked = _blocked_days(site, day, day)
    resources = _plan_resources(site)
    hourly = {r.pk for r in resources if r.booking_unit == BookingUnit.HOUR}
    # The open hours, and any hour held out of them (a block holds the whole day).
    booked_hours = {
        slot
        for (resource_id, _day, slot), booking in held.items()
        if resource_id in hourly and booking.kind == BookingKind.BOOKING
    }
    opened = set(open_hours(schedule))
    hours = sorted(opened | booked_hours)
    half_day_open = [schedule.period(HALF_DAY_NAME[s]) is not None for s in (0, 1)]
    half_day_rows, hour_rows = [], []
    for resource in resources:
        block = blocked.get((resource.pk, day))
        if resource.pk in hourly:
            cells = [PlanCell(held.get((resource.pk, day, h)), h in opened, block) for h in hours]
            hour_rows.append(PlanRow(resource, cells))
        else:
            cells = [
                PlanCell(held.get((resource.pk, day, s)), half_day_open[s], block) for s in (0, 1)
            ]
            half_day_rows.append(PlanRow(resource, cells))
    return DayPlan(
        day=day,
        schedule=schedule,
        half_day_rows=half_day_rows,
        hours=hours,
        hour_rows=hour_rows,
    )


def site_plan_week(*, site: Site, start: dt.date, days: int = 7) -> WeekPlan:
    """A site's days at a glance: per resource and day, the block and the bookings holding
    it (five queries whatever the number of resources, bookings and blocks). Give the site
    with its network."""
    end = start + dt.timedelta(days=days - 1)
    schedules = site_schedules([site], start, end)[site.pk]
    held = _held_slots(site, start, end)
    blocked = _blocked_days(site, start, end)
    by_cell: dict[tuple[int, dt.date], list[tuple[int, Booking]]] = defaultdict(list)
    for (resource_id, day, slot), booking in held.items():
        by_cell[(resource_id, day)].append((slot, booking))
    rows = []
    day_list = [start + dt.timedelta(days=i) for i in range(days)]
    for resource in _plan_resources(site):
        cells = []
        for day in day_list:
            block = blocked.get((resource.pk, day))
            seen: dict[int, Booking] = {block.pk: block} if block else {}
            for _slot, booking in sorted(by_cell[(resource.pk, day)], key=lambda x: x[0]):
                seen.setdefault(booking.pk, booking)
            cells.append(PlanDayCell(schedules[day].is_open, list(seen.values()), block))
        rows.append(WeekRow(resource, cells))
    return WeekPlan([schedules[d] for d in day_list], rows)


CALENDAR_TOKEN_MAX_CHARS = 100


def member_for_calendar(*, token: str) -> User | None:
    """The active member whose secret calendar address this is, or None."""
    if not token or len(token) > CALENDAR_TOKEN_MAX_CHARS:
        return None
    return User.objects.filter(
        profile__calendar_digest=calendar_digest(token), is_active=True
    ).first()


# --- What else is free when a site is full: the "just taken" answer's suggestions ---------


@dataclass(frozen=True)
class FreeElsewhere:
    """A site of the same network open for the period, and how many resources it has free."""

    slug: str
    name: str
    free: int
    distance_km: float | None


def free_elsewhere(*, site: Site, day: dt.date, period: str, kind: str) -> list[FreeElsewhere]:
    """The other published sites of the site's network with resources of that kind free
    for a half-day period, nearest first: the same counts as `availability`, in one
    statement (a "just taken" answer asks, for resources booked by the half-day)."""
    if public_holiday_name(day) is not None:
        return []
    found = []
    for row in store.free_elsewhere_rows(
        site=site,
        day=day,
        period=period,
        kind=kind,
        unit=BookingUnit.HALF_DAY,
        half_days=[HALF_DAY_NAME[s] for s in HALF_DAY_SLOTS[period]],
    ):
        if not row.free:
            continue
        distance = None
        if row.latitude is not None and row.longitude is not None and site.latitude is not None:
            distance = round(
                distance_km(
                    float(site.latitude),
                    float(site.longitude),
                    float(row.latitude),
                    float(row.longitude),
                ),
                1,
            )
        found.append(FreeElsewhere(row.slug, row.name, row.free, distance))
    found.sort(key=lambda f: (f.distance_km or 0.0, f.name))
    return found


def free_later(
    *, site: Site, start: dt.date, days: int, period: str, kind: str
) -> list[tuple[dt.date, int]]:
    """The days from `start` on which the site is open for a half-day period and has
    resources of that kind free, with how many: the cells `availability_week` gives as
    open and free, in four short statements."""
    end = start + dt.timedelta(days=days - 1)
    resources, held = store.held_by_day(site=site, kind=kind, start=start, end=end, period=period)
    if not resources:
        return []
    found = []
    for day, schedule in site_days(site, start, end).items():
        free = resources - held.get(day, 0)
        if schedule.is_open and _period_open(schedule, period) and free > 0:
            found.append((day, free))
    return found
