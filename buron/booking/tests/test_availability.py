"""The desk search reads whether sites open from flags on the sites (no opening times):
it must say exactly what the sites' full schedules say, site by site."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from buron.accounts.tests.factories import UserFactory
from buron.booking import selectors, services
from buron.booking.errors import Alternative
from buron.booking.models import BookingPolicy
from buron.booking.selectors import policy_for
from buron.booking.services import create
from buron.booking.site_rules import published_site_day
from buron.places.models import Site
from buron.places.selectors import site_days, site_schedule, site_schedules
from buron.places.tests.factories import (
    ClosureFactory,
    NetworkFactory,
    OpeningPeriodFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db

WHIT_MONDAY = dt.date(2027, 5, 17)


@pytest.fixture(autouse=True)
def frozen():
    """Searched from NOW: the days searched are within the booking horizon."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sites(site):
    """Sites of one network in every state a day can put them in."""
    network = site.network

    def make(slug, **kwargs):
        made = SiteFactory(network=network, slug=slug, name=slug.title(), **kwargs)
        ResourceFactory(site=made, name=f"Poste {slug}")
        return made

    closed_with_note = make("travaux")
    open_all_week(closed_with_note)
    ClosureFactory(site=closed_with_note, start_date=DAY, end_date=DAY, note_en="new roof")
    twice_closed = make("deux-fermetures")
    open_all_week(twice_closed)
    ClosureFactory(site=twice_closed, start_date=DAY, end_date=DAY, reason="event")
    ClosureFactory(site=twice_closed, start_date=DAY - dt.timedelta(days=3), end_date=DAY)
    never_on_tuesday = make("pas-le-mardi")
    open_all_week(never_on_tuesday, days=(0, 2, 3, 4))
    mornings = make("matins")
    for weekday in range(5):
        OpeningPeriodFactory(site=mornings, weekday=weekday, half_day="am")
    afternoons = make("apres-midi")
    for weekday in range(5):
        OpeningPeriodFactory(
            site=afternoons,
            weekday=weekday,
            half_day="pm",
            opens=dt.time(14),
            closes=dt.time(18),
        )
    hidden = make("cache", is_published=False)
    open_all_week(hidden)
    return Site.objects.filter(network=network)


@pytest.mark.parametrize("day", [DAY, WHIT_MONDAY])
@pytest.mark.parametrize("period", ["am", "pm", "day"])
def test_the_desk_search_agrees_with_the_schedules(sites, day, period):
    with translation.override("en"):
        found = selectors.availability(day=day, period=period, kind="desk", sites=sites)
        published = list(sites.filter(is_published=True))
        schedules = site_schedules(published, day, day)
    # Every published site, by name.
    assert [r.site.slug for r in found] == [s.slug for s in sorted(published, key=lambda s: s.name)]
    for result in found:
        schedule = schedules[result.site.pk][day]
        assert result.closed_because == schedule.closed_because, result.site.slug
        assert result.is_open == schedule.is_open, result.site.slug
        bookable = all(
            schedule.period(h) for h in {"am": ["am"], "pm": ["pm"]}.get(period, ["am", "pm"])
        )
        assert (result.free_count > 0) == bookable, result.site.slug


def test_the_closed_reasons_read_as_people_expect(sites):
    with translation.override("en"):
        by_slug = {
            r.site.slug: r
            for r in selectors.availability(day=DAY, period="am", kind="desk", sites=sites)
        }
    assert by_slug["travaux"].closed_because == "Works — new roof"
    # Two closures that day: the one that began first is given.
    assert by_slug["deux-fermetures"].closed_because == "Works"
    assert by_slug["pas-le-mardi"].closed_because == "Closed on this weekday"
    assert by_slug["matins"].closed_because is None and by_slug["matins"].free_count == 1
    assert by_slug["apres-midi"].is_open and by_slug["apres-midi"].free_count == 0
    assert "cache" not in by_slug


def test_a_filter_that_leaves_no_published_site_finds_none(sites):
    """Only the unpublished site, or no site at all: nothing is searched, nothing offered."""
    for among in (sites.filter(slug="cache"), Site.objects.none()):
        for kind in ("desk", "meeting_room"):
            assert selectors.availability(day=DAY, period="am", kind=kind, sites=among) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_one_site_s_day_reads_as_the_schedules_say(sites, language):
    """A booking reads one site's day by hand (site_schedule): it must match what the
    schedules of many sites say, closures, holidays and weekdays included."""
    days = [DAY + dt.timedelta(days=n) for n in range(-4, 5)] + [WHIT_MONDAY]
    with translation.override(language):
        for day in days:
            schedules = site_schedules(list(sites), day, day)
            for site in sites:
                one, many = site_schedule(site, day), schedules[site.pk][day]
                assert (one.periods, one.closed_because) == (many.periods, many.closed_because), (
                    site.slug,
                    day,
                )
        # Days in a row, as a "just taken" answer reads them for the next two weeks.
        start, end = DAY - dt.timedelta(days=4), DAY + dt.timedelta(days=16)
        schedules = site_schedules(list(sites), start, end)
        for site in sites:
            assert {
                day: (s.periods, s.closed_because) for day, s in site_days(site, start, end).items()
            } == {day: (s.periods, s.closed_because) for day, s in schedules[site.pk].items()}, (
                site.slug
            )


def _policy(policy: BookingPolicy) -> tuple[object, ...]:
    return (
        policy.pk,
        policy.horizon_days,
        policy.max_per_member_per_day,
        policy.cancellation_deadline_hours,
    )


def _values(instance) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_site_read_with_its_day_has_the_rules_a_booking_reads_otherwise(sites, language):
    """A booking by site name reads the site and its rules that day in one statement
    (published_site_day): the same site and network as the ORM, the same schedule as
    site_schedule and the same policy as policy_for — the network's, then a site's own."""
    network = sites.first().network
    days = [DAY + dt.timedelta(days=n) for n in range(-4, 5)] + [WHIT_MONDAY]
    # Another network's rules never apply here.
    BookingPolicy.objects.create(network=NetworkFactory(slug="ailleurs"), horizon_days=5)

    def check() -> None:
        with translation.override(language):
            for site in Site.objects.filter(pk__in=sites.values("pk")):
                for day in days:
                    found = published_site_day(site.slug, day)
                    if not site.is_published:
                        assert found is None, site.slug
                        continue
                    assert found is not None, site.slug
                    assert _values(found.site) == _values(site)
                    assert _values(found.site.network) == _values(network)
                    expected = site_schedule(site, day)
                    schedule = found.rules.schedule
                    assert (schedule.day, schedule.periods, schedule.closed_because) == (
                        day,
                        expected.periods,
                        expected.closed_because,
                    ), (site.slug, day)
                    assert _policy(found.rules.policy) == _policy(policy_for(site)), site.slug

    check()  # the defaults
    BookingPolicy.objects.create(network=network, horizon_days=30, max_per_member_per_day=1)
    check()
    own = BookingPolicy.objects.create(
        network=network, site=Site.objects.get(slug="deux-fermetures"), horizon_days=7
    )
    check()
    assert published_site_day("deux-fermetures", DAY).rules.policy.pk == own.pk
    assert published_site_day("nulle-part", DAY) is None


def bookable_days(day):
    """The days after `day` a "just taken" answer looks at: 14, within the default horizon
    (90 days from NOW)."""
    return max(0, min(14, (NOW.date() + dt.timedelta(days=90) - day).days))


def _suggestions_by_the_availability_selectors(site, day, period, kind, limit=5):
    """What a "just taken" answer suggested when it asked the two availability searches
    (the reference the hand-written suggestions must match)."""
    found = []
    for result in selectors.availability(
        day=day,
        period=period,
        kind=kind,
        sites=Site.objects.filter(network_id=site.network_id),
        near=(float(site.latitude), float(site.longitude)),
    ):
        if result.site.pk != site.pk and result.free_count:
            found.append(
                Alternative(
                    result.site.slug, result.site.name, day.isoformat(), period, result.free_count
                )
            )
        if len(found) >= 3:
            break
    # A site without that kind is not in the week's table.
    week = selectors.availability_week(
        start=day + dt.timedelta(days=1),
        days=14,
        period=period,
        kind=kind,
        sites=Site.objects.filter(pk=site.pk),
    )
    cells = week[0][1] if week else []
    for cell in cells:
        if len(found) >= limit:
            break
        if cell.free and cell.closed_because is None:
            found.append(Alternative(site.slug, site.name, cell.day.isoformat(), period, cell.free))
    return found[:limit]


@pytest.mark.parametrize("period", ["am", "pm", "day"])
def test_the_just_taken_suggestions_agree_with_the_availability_searches(sites, period):
    """Sites at different distances (not in name order), desks and an office partly booked,
    closures, weekdays closed, half-day openings and public holidays around the days."""
    for n, each in enumerate(sites.order_by("-name")):
        Site.objects.filter(pk=each.pk).update(
            latitude=Decimal("45.1") + Decimal(n) / 50, longitude=Decimal("2.8") + Decimal(n) / 90
        )
    base = sites.get(slug="murat")
    ResourceFactory(site=base, kind="private_office", name="Bureau")
    ResourceFactory(site=sites.get(slug="matins"), name="Poste 2")
    for offset, who, where, half in [
        (0, "a", "murat", "am"),
        (0, "b", "matins", "am"),
        (1, "c", "murat", "pm"),
        (2, "d", "murat", "day"),
        (3, "e", "apres-midi", "pm"),
        (7, "f", "murat", "am"),
    ]:
        services.booking_create_half_day(
            member=UserFactory(email=f"{who}@example.org"),
            site=sites.get(slug=where),
            day=DAY + dt.timedelta(days=offset),
            period=half,
            now=NOW,
            notify=False,
        )
    days = [DAY + dt.timedelta(days=n) for n in range(-3, 9)]
    days += [dt.date(2027, 5, 4), dt.date(2027, 5, 14), WHIT_MONDAY]
    with translation.override("en"):
        for site in sites.filter(is_published=True):
            site = Site.objects.select_related("network").get(pk=site.pk)
            for day in days:
                for kind in ("desk", "private_office"):
                    expected = _suggestions_by_the_availability_selectors(site, day, period, kind)
                    assert (
                        create._alternatives_now(
                            site=site, day=day, period=period, kind=kind, days=bookable_days(day)
                        )
                        == expected
                    ), (site.slug, day, kind)
