"""Reads of the operator's home (/gestion/): the day and the week at a glance per site, the
members of the sites a staff member manages, and the booking rules in force.

Everything is scoped by the staff member's scope (accounts.selectors.staff_scope) and reads
a fixed number of statements whatever the number of sites, resources or bookings (one set
per time zone of the networks shown, in practice one).

"Their members" (THE definition for the lists and exports here): the people who booked at
one of the sites in scope (any booking, even cancelled) or checked in at one of them. A
network administrator therefore sees the members active in their network, a host those of
their sites (and of their telecentre's annexes); a superuser sees every member.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from buron.accounts.light import PLACEHOLDER_DOMAIN
from buron.accounts.models import StatusPeriod, User
from buron.accounts.selectors import Scope
from buron.attendance.models import Visit, VisitSource
from buron.booking.models import Booking, BookingKind, BookingPolicy, BookingStatus
from buron.booking.selectors import DEFAULT_POLICY, managed_sites, policy_among
from buron.booking.slots import local_datetime
from buron.places.models import Resource, Site

WEEK = 7


@dataclass
class SiteGlance:
    """One site's figures for a day and its week (Monday to Sunday)."""

    site: Site
    resources: int = 0
    free_all_day: int = 0
    bookings_today: int = 0
    blocks_today: int = 0
    arrivals_today: int = 0
    bookings_week: int = 0
    arrivals_week: int = 0
    walk_ins_week: int = 0
    cancelled_week: int = 0
    no_shows_week: int = 0


@dataclass
class Glance:
    """The day and the week at a glance for the sites in scope, with their totals."""

    day: dt.date
    week_start: dt.date
    sites: list[SiteGlance] = field(default_factory=list)

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=WEEK - 1)

    def totals(self) -> dict[str, int]:
        """Each figure summed over the sites."""
        names = [f for f in SiteGlance.__dataclass_fields__ if f != "site"]
        return {name: sum(int(getattr(s, name)) for s in self.sites) for name in names}


def scoped_sites(*, scope: Scope) -> QuerySet[Site]:
    """The sites in scope, their network loaded, by network then name."""
    return managed_sites(scope=scope).select_related("network").order_by("network__name", "name")


def _window(tz: str, first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        local_datetime(first, dt.time(0), tz),
        local_datetime(first + dt.timedelta(days=days), dt.time(0), tz),
    )


def _counts(rows: Iterable[dict[str, int]], key: str = "site_id") -> dict[int, int]:
    return {row[key]: row["n"] for row in rows}


def _fill_day(rows: dict[int, SiteGlance], tz: str, day: dt.date) -> None:
    """Today's bookings, blocks, busy resources and arrivals of the sites of one time zone."""
    start, end = _window(tz, day, 1)
    ids = list(rows)
    active = Booking.objects.filter(
        site_id__in=ids, status=BookingStatus.ACTIVE, start__lt=end, end__gt=start
    )
    by_kind: dict[tuple[int, str], int] = {
        (r["site_id"], r["kind"]): r["n"]
        for r in active.values("site_id", "kind").annotate(n=Count("pk")).order_by()
    }
    busy = _counts(
        active.values("site_id").annotate(n=Count("resource_id", distinct=True)).order_by()
    )
    resources = _counts(
        Resource.objects.filter(site_id__in=ids, is_active=True)
        .values("site_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    arrivals = _counts(
        Visit.objects.filter(site_id__in=ids, day=day)
        .values("site_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for site_id, row in rows.items():
        row.bookings_today = by_kind.get((site_id, BookingKind.BOOKING), 0)
        row.blocks_today = by_kind.get((site_id, BookingKind.BLOCK), 0)
        row.resources = resources.get(site_id, 0)
        row.free_all_day = max(0, row.resources - busy.get(site_id, 0))
        row.arrivals_today = arrivals.get(site_id, 0)


def _fill_week(rows: dict[int, SiteGlance], tz: str, week_start: dt.date) -> None:
    """The week's bookings (by their start), cancellations, no-shows and visits."""
    start, end = _window(tz, week_start, WEEK)
    ids = list(rows)
    week = (
        Booking.objects.filter(
            site_id__in=ids, kind=BookingKind.BOOKING, start__gte=start, start__lt=end
        )
        .values("site_id")
        .annotate(
            booked=Count("pk", filter=Q(status=BookingStatus.ACTIVE)),
            cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
            released=Count("pk", filter=Q(status=BookingStatus.RELEASED)),
        )
        .order_by()
    )
    visits = (
        Visit.objects.filter(
            site_id__in=ids, day__gte=week_start, day__lt=week_start + dt.timedelta(days=WEEK)
        )
        .values("site_id")
        .annotate(n=Count("pk"), walk_ins=Count("pk", filter=Q(source=VisitSource.WALK_IN)))
        .order_by()
    )
    for r in week:
        row = rows[r["site_id"]]
        row.bookings_week, row.cancelled_week, row.no_shows_week = (
            r["booked"],
            r["cancelled"],
            r["released"],
        )
    for r in visits:
        rows[r["site_id"]].arrivals_week = r["n"]
        rows[r["site_id"]].walk_ins_week = r["walk_ins"]


def glance(*, scope: Scope, day: dt.date | None = None) -> Glance:
    """The day (today on each network's clock unless given) and its week at a glance, per
    site in scope: bookings, blocks, resources free all day and arrivals today; bookings
    still active, cancelled and released as no-shows among those starting this week, and
    its visits and walk-ins."""
    sites = list(scoped_sites(scope=scope))
    by_zone: dict[str, dict[int, SiteGlance]] = defaultdict(dict)
    for site in sites:
        by_zone[site.network.time_zone][site.pk] = SiteGlance(site=site)
    first_day = day
    for tz, rows in by_zone.items():
        with timezone.override(tz):
            local_day = day or timezone.localdate()
        first_day = first_day or local_day
        week_start = local_day - dt.timedelta(days=local_day.weekday())
        _fill_day(rows, tz, local_day)
        _fill_week(rows, tz, week_start)
    shown = first_day or timezone.localdate()
    return Glance(
        day=shown,
        week_start=shown - dt.timedelta(days=shown.weekday()),
        sites=[row for rows in by_zone.values() for row in rows.values()],
    )


# Members ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFilter:
    """What the member list is narrowed to: words of the name or email, a status (the
    current one), words of the commune's name or its postal or INSEE code."""

    text: str = ""
    status: str = ""
    commune: str = ""


def members(*, scope: Scope, filters: MemberFilter | None = None) -> QuerySet[User]:
    """The members of the sites in scope (see the module's docstring), with their current
    status (`current_status`), commune (profile) and last booking start at those sites
    (`last_booking`), by name. Nobody for a scope without sites."""
    filters = filters or MemberFilter()
    today = timezone.localdate()
    site_ids = managed_sites(scope=scope).values("pk")
    people = User.objects.all() if scope.everything else User.objects.none()
    if not scope.everything:
        people = User.objects.filter(
            Q(
                Exists(
                    Booking.objects.filter(
                        member=OuterRef("pk"), kind=BookingKind.BOOKING, site_id__in=site_ids
                    )
                )
            )
            | Q(Exists(Visit.objects.filter(member=OuterRef("pk"), site_id__in=site_ids)))
        )
    current = StatusPeriod.objects.filter(user=OuterRef("pk"), valid_from__lte=today).order_by(
        "-valid_from"
    )
    first = StatusPeriod.objects.filter(user=OuterRef("pk")).order_by("valid_from")
    people = people.filter(is_active=True).annotate(
        started_status=Subquery(current.values("status")[:1]),
        first_status=Subquery(first.values("status")[:1]),
        last_booking=Max(
            "bookings__start",
            filter=Q(bookings__kind=BookingKind.BOOKING, bookings__site_id__in=site_ids)
            if not scope.everything
            else Q(bookings__kind=BookingKind.BOOKING),
        ),
    )
    people = _narrowed(people, filters)
    return people.select_related("profile__commune").order_by("last_name", "first_name", "email")


def _narrowed(people: QuerySet[User], filters: MemberFilter) -> QuerySet[User]:
    for word in filters.text.split()[:5]:
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | (Q(email__icontains=word) & ~Q(email__iendswith="@" + PLACEHOLDER_DOMAIN))
        )
    if filters.status:
        # The status today (status_among: the latest started, else the first one).
        people = people.filter(
            Q(started_status=filters.status)
            | Q(started_status__isnull=True, first_status=filters.status)
        )
    for word in filters.commune.split()[:3]:
        people = people.filter(
            Q(profile__commune__name__icontains=word)
            | Q(profile__commune__postal_code=word)
            | Q(profile__commune__insee_code=word.upper())
        )
    return people


# Booking rules ----------------------------------------------------------------------------


class RuleSource:
    """Where the rules a site follows come from."""

    SITE = "site"
    NETWORK = "network"
    DEFAULT = "default"


@dataclass(frozen=True)
class RuleInForce:
    """The booking rules a site's bookings follow, and where they come from."""

    site: Site
    policy: BookingPolicy
    source: str


def rules_in_force(*, scope: Scope) -> list[RuleInForce]:
    """For each site in scope, the booking rules that apply (booking.selectors.policy_among:
    its own, else its network's, else the defaults) and their source: one statement for
    the policies whatever the number of sites."""
    sites = list(scoped_sites(scope=scope))
    found = list(
        BookingPolicy.objects.filter(
            Q(site_id__in=[s.pk for s in sites])
            | Q(network_id__in={s.network_id for s in sites}, site__isnull=True)
        )
    )
    own = {p.site_id: p for p in found if p.site_id is not None}
    network = {p.network_id: p for p in found if p.site_id is None}
    rows = []
    for site in sites:
        candidates = [p for p in (own.get(site.pk), network.get(site.network_id)) if p]
        policy = policy_among(candidates)
        source = (
            RuleSource.DEFAULT
            if policy is DEFAULT_POLICY
            else RuleSource.SITE
            if policy.site_id is not None
            else RuleSource.NETWORK
        )
        rows.append(RuleInForce(site=site, policy=policy, source=source))
    return rows


def default_policy() -> BookingPolicy:
    """The rules that apply where no rule is set."""
    return DEFAULT_POLICY
