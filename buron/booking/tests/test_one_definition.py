"""Each rule has one definition; every faster path (hand-written statements, many-site reads)
gives the same answers as that definition, over generated cases, on both databases.

- whether a site is open on a day, and why not: places.selectors._closed_because (through
  site_days), against site_schedules, day_openings with the sites' statement (availability,
  of some sites or all), published_site_day, availability_week and the statements of the
  "just taken" suggestions;
- which resources are free: an active resource with no active slot in the period (computed
  here from the generated rows), against availability, availability_week, store.look and
  the suggestions' counts;
- which policy applies: the site's own, else its network's, else the defaults, against
  policy_for, the policies of many sites and published_site_day;
- a member's status on a day: accounts.selectors.status_among, against status_on and the
  member's day read with a booking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buron.accounts.models import StatusPeriod
from buron.accounts.selectors import status_on
from buron.accounts.tests.factories import UserFactory
from buron.booking import forms, selectors, store
from buron.booking.models import Booking, BookingPolicy, BookingSlot
from buron.booking.selectors import DEFAULT_POLICY, cancellation_deadlines, policy_for
from buron.booking.services.rules import member_day
from buron.booking.site_rules import published_site_day
from buron.booking.slots import HALF_DAY_NAME, HALF_DAY_SLOTS, Span
from buron.places import selectors as places_selectors
from buron.places.models import Closure, OpeningPeriod, Resource, Site
from buron.places.selectors import public_holiday_name, site_days, site_schedules
from buron.places.tests.factories import NetworkFactory, ResourceFactory, SiteFactory

from .conftest import at

pytestmark = pytest.mark.django_db

# Ten days around Easter Monday 2027 (29 March), a public holiday.
START = dt.date(2027, 3, 24)
DAYS = [START + dt.timedelta(days=n) for n in range(10)]
# The searches' "now": before the days searched, within their booking horizon.
BEFORE = at(START - dt.timedelta(days=7), 9)
PERIODS = ["am", "pm", "day"]
SITES = 3
DESKS = 3

HYPOTHESIS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each generated case writes its rows in a savepoint rolled back afterwards, and starts
    with an empty cache (ids may be reused from one case to the next)."""
    cache.clear()
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


openings = st.sets(st.tuples(st.integers(0, 6), st.sampled_from(["am", "pm"])), max_size=14)
closures = st.lists(
    st.tuples(st.integers(-3, 9), st.integers(0, 4), st.sampled_from(["works", "holidays"])),
    max_size=2,
)
site_plans = st.lists(st.tuples(openings, closures), min_size=SITES, max_size=SITES)
# (site, desk, day, slot, active): slot rows, some given up since.
held_rows = st.lists(
    st.tuples(
        st.integers(0, SITES - 1),
        st.integers(0, DESKS - 1),
        st.integers(0, len(DAYS) - 1),
        st.integers(0, 1),
        st.booleans(),
    ),
    max_size=25,
    unique_by=lambda r: r[:4],
)
inactive_desks = st.sets(st.tuples(st.integers(0, SITES - 1), st.integers(0, DESKS - 1)))


def _network_with(plans, inactive) -> tuple[list[Site], dict[int, list[Resource]]]:
    network = NetworkFactory()
    sites: list[Site] = []
    desks: dict[int, list[Resource]] = {}
    for index, (opened, closed) in enumerate(plans):
        site = SiteFactory(network=network, name=f"Site {index}", slug=f"site-{index}")
        for weekday, half_day in sorted(opened):
            OpeningPeriod.objects.create(
                site=site,
                weekday=weekday,
                half_day=half_day,
                opens=dt.time(8, 30) if half_day == "am" else dt.time(13, 30),
                closes=dt.time(12, 30) if half_day == "am" else dt.time(18),
            )
        for offset, length, reason in closed:
            first = START + dt.timedelta(days=offset)
            Closure.objects.create(
                site=site,
                start_date=first,
                end_date=first + dt.timedelta(days=length),
                reason=reason,
            )
        desks[site.pk] = [
            ResourceFactory(site=site, name=f"Poste {n}", is_active=(index, n) not in inactive)
            for n in range(DESKS)
        ]
        sites.append(Site.objects.select_related("network").get(pk=site.pk))
    return sites, desks


def _hold(sites, desks, rows) -> set[tuple[int, dt.date, int]]:
    """Write the generated slot rows (one booking each); the active ones, as (resource id,
    day, slot)."""
    member = UserFactory()
    held = set()
    for site_index, desk_index, day_index, slot, active in rows:
        site = sites[site_index]
        desk = desks[site.pk][desk_index]
        day = DAYS[day_index]
        booking = Booking.objects.create(
            network_id=site.network_id,
            site=site,
            resource=desk,
            member=member,
            start=at(day, 8 if slot == 0 else 13),
            end=at(day, 12 if slot == 0 else 18),
            period=HALF_DAY_NAME[slot],
            status="active" if active else "cancelled",
        )
        BookingSlot.objects.create(
            booking=booking,
            network_id=site.network_id,
            resource=desk,
            day=day,
            slot=slot,
            is_active=active,
        )
        if active:
            held.add((desk.pk, day, slot))
    return held


def _free(desks, held, day: dt.date, period: str) -> list[int]:
    """The definition: an active resource none of whose period's slots is held."""
    return [
        d.pk
        for d in desks
        if d.is_active and not any((d.pk, day, s) in held for s in HALF_DAY_SLOTS[period])
    ]


def _open_for(schedule, period: str) -> bool:
    return schedule.closed_because is None and all(
        schedule.period(HALF_DAY_NAME[s]) is not None for s in HALF_DAY_SLOTS[period]
    )


@HYPOTHESIS
@given(plans=site_plans, rows=held_rows, inactive=inactive_desks)
def test_opening_and_free_resources_agree_on_every_path(plans, rows, inactive):
    with rolled_back():
        sites, desks = _network_with(plans, inactive)
        held = _hold(sites, desks, rows)
        among = Site.objects.filter(network_id=sites[0].network_id)
        reference = {s.pk: site_days(s, DAYS[0], DAYS[-1]) for s in sites}

        assert site_schedules(sites, DAYS[0], DAYS[-1]) == reference
        for period in PERIODS:
            week = dict(
                selectors.availability_week(
                    start=DAYS[0], days=len(DAYS), period=period, sites=among, now=BEFORE
                )
            )
            for site in sites:
                later = selectors.free_later(
                    site=site, start=DAYS[0], days=len(DAYS), period=period, kind="desk"
                )
                expected_later = []
                for day in DAYS:
                    free = _free(desks[site.pk], held, day, period)
                    if _open_for(reference[site.pk][day], period) and free:
                        expected_later.append((day, len(free)))
                assert later == expected_later, (site.slug, period)
                if not any(d.is_active for d in desks[site.pk]):
                    # No desk to book: the site is not offered.
                    assert site not in week
                    continue
                cells = {c.day: c for c in week[site]}
                for day in DAYS:
                    schedule = reference[site.pk][day]
                    expected = _free(desks[site.pk], held, day, period)
                    if _open_for(schedule, period):
                        assert cells[day].free == len(expected)
                    else:
                        assert cells[day].free == 0 and cells[day].closed_because
            for day in DAYS:
                found = {
                    r.site.pk: r
                    for r in selectors.availability(day=day, period=period, sites=among, now=BEFORE)
                }
                # Every site (no filter: the statements read no list of sites) says the same.
                everywhere = selectors.availability(day=day, period=period, now=BEFORE)
                ours = {s.pk for s in sites}
                assert {r.site.pk: r for r in everywhere if r.site.pk in ours} == found
                for site in sites:
                    schedule = reference[site.pk][day]
                    expected = _free(desks[site.pk], held, day, period)
                    open_for_period = _open_for(schedule, period)
                    if any(d.is_active for d in desks[site.pk]):
                        answer = found[site.pk]
                        assert answer.closed_because == schedule.closed_because
                        assert answer.is_open == schedule.is_open
                        assert [f.id for f in answer.free] == (expected if open_for_period else [])
                    else:
                        assert site.pk not in found  # no desk to book: not offered
                    span = Span(day, HALF_DAY_SLOTS[period], at(day, 8), at(day, 18))
                    look = store.look(site=site, kind="desk", span=span, limit=DESKS)
                    assert sorted(r.pk for r in look.free) == sorted(expected)
                    assert look.any_resource == any(d.is_active for d in desks[site.pk])
                    if public_holiday_name(day) is None:
                        elsewhere = {
                            r.slug: r.free
                            for r in store.free_elsewhere_rows(
                                site=site,
                                day=day,
                                period=period,
                                kind="desk",
                                unit="half_day",
                                half_days=[HALF_DAY_NAME[s] for s in HALF_DAY_SLOTS[period]],
                            )
                        }
                        assert elsewhere == {
                            other.slug: len(_free(desks[other.pk], held, day, period))
                            for other in sites
                            if other.pk != site.pk and _open_for(reference[other.pk][day], period)
                        }
                    site_day = published_site_day(site.slug, day)
                    assert site_day is not None
                    assert site_day.rules.schedule == schedule


@HYPOTHESIS
@given(
    network_policy=st.one_of(st.none(), st.integers(1, 30)),
    own_policies=st.lists(st.one_of(st.none(), st.integers(1, 30)), min_size=3, max_size=3),
    foreign=st.booleans(),
)
def test_the_policy_in_force_is_the_same_on_every_path(network_policy, own_policies, foreign):
    with rolled_back():
        network = NetworkFactory()
        sites = [SiteFactory(network=network) for _ in own_policies]
        if network_policy is not None:
            BookingPolicy.objects.create(network=network, horizon_days=network_policy)
        for site, horizon in zip(sites, own_policies, strict=True):
            if horizon is not None:
                BookingPolicy.objects.create(network=network, site=site, horizon_days=horizon)
        if foreign:
            # Another network's policies never apply.
            other = SiteFactory()
            BookingPolicy.objects.create(network=other.network, horizon_days=99)
            BookingPolicy.objects.create(network=other.network, site=other, horizon_days=98)
        member = UserFactory()
        bookings = []
        for site in sites:
            OpeningPeriod.objects.create(
                site=site,
                weekday=DAYS[0].weekday(),
                half_day="am",
                opens=dt.time(8),
                closes=dt.time(12),
            )
            desk = ResourceFactory(site=site)
            bookings.append(
                Booking.objects.create(
                    network=network,
                    site=site,
                    resource=desk,
                    member=member,
                    start=at(DAYS[0], 8),
                    end=at(DAYS[0], 12),
                    period="am",
                )
            )
        deadlines = cancellation_deadlines(
            bookings=[Booking.objects.select_related("site").get(pk=b.pk) for b in bookings],
            by=member,
            now=at(DAYS[0], 7),
        )
        for site, own, booking in zip(sites, own_policies, bookings, strict=True):
            site = Site.objects.select_related("network").get(pk=site.pk)
            expected = own or network_policy or DEFAULT_POLICY.horizon_days
            assert policy_for(site).horizon_days == expected
            found = published_site_day(site.slug, DAYS[0])
            assert found is not None and found.rules.policy.horizon_days == expected
            assert deadlines[booking.pk][1] == booking.start - dt.timedelta(
                hours=policy_for(site).cancellation_deadline_hours
            )


@HYPOTHESIS
@given(
    periods=st.lists(
        st.tuples(st.integers(-20, 20), st.sampled_from(["freelancer", "salaried_remote"])),
        max_size=3,
        unique_by=lambda p: p[0],
    ),
    offset=st.integers(-25, 25),
)
def test_a_members_status_on_a_day_is_the_same_on_every_path(periods, offset):
    with rolled_back():
        member = UserFactory()
        StatusPeriod.objects.filter(user=member).delete()
        for days, status in periods:
            StatusPeriod.objects.create(
                user=member,
                status=status,
                employer_name=f"Employeur {days}",
                valid_from=DAYS[0] + dt.timedelta(days=days),
            )
        day = DAYS[0] + dt.timedelta(days=offset)
        ordered = sorted(periods)
        started = [p for p in ordered if DAYS[0] + dt.timedelta(days=p[0]) <= day]
        chosen = started[-1] if started else (ordered[0] if ordered else None)
        expected = chosen[1] if chosen else None

        found = status_on(user=member, day=day)
        assert (found.status if found else None) == expected
        span = Span(day, (0,), at(day, 8), at(day, 12))
        read = member_day(member, "half_day", span)
        assert read.status == (expected or "other")
        assert read.employer_name == (f"Employeur {chosen[0]}" if chosen else "")


def test_the_forms_offer_the_sites_places_publishes():
    assert forms.published_sites is places_selectors.published_sites
