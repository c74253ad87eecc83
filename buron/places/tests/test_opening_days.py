"""When sites are open: opening hours, closures and French public holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from buron.places.models import Site
from buron.places.selectors import (
    OpenPeriod,
    closure_reason_labels,
    public_holiday_name,
    public_holidays,
    published_sites,
    site_for_page,
    site_schedule,
    site_schedules,
    site_with_resources,
    upcoming_closures,
    weekly_hours,
)
from buron.places.tests.factories import (
    AnnexFactory,
    ClosureFactory,
    OpeningPeriodFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

pytestmark = pytest.mark.django_db

MORNING = OpenPeriod("am", dt.time(8, 30), dt.time(12, 30))
AFTERNOON = OpenPeriod("pm", dt.time(13, 30), dt.time(18))

# 2027: Easter Sunday is 28 March, so Easter Monday is 29 March and Ascension 6 May.
EASTER_MONDAY_2027 = dt.date(2027, 3, 29)
ASCENSION_2027 = dt.date(2027, 5, 6)
BASTILLE_DAY_2027 = dt.date(2027, 7, 14)  # a Wednesday
ORDINARY_WEDNESDAY = dt.date(2027, 7, 21)


@pytest.fixture
def site() -> Site:
    site = SiteFactory()
    open_all_week(site, days=(0, 1, 2, 3, 4, 5, 6))
    return site


def test_it_gives_the_open_half_days_of_an_ordinary_day(site: Site) -> None:
    day = site_schedule(site, ORDINARY_WEDNESDAY)
    assert day.is_open
    assert day.closed_because is None
    assert day.periods == [MORNING, AFTERNOON]
    assert day.period("am") == MORNING
    assert day.period("pm") == AFTERNOON


def test_it_gives_only_the_half_days_with_opening_hours() -> None:
    site = SiteFactory()
    OpeningPeriodFactory(site=site, weekday=2, half_day="pm", opens=dt.time(14), closes=dt.time(17))
    day = site_schedule(site, ORDINARY_WEDNESDAY)
    assert day.is_open
    assert day.period("am") is None
    assert day.period("pm") == OpenPeriod("pm", dt.time(14), dt.time(17))


@pytest.mark.parametrize(
    ("day", "french", "english"),
    [
        (BASTILLE_DAY_2027, "Fête nationale", "National Day"),
        (EASTER_MONDAY_2027, "Lundi de Pâques", "Easter Monday"),
        (ASCENSION_2027, "Ascension", "Ascension Day"),
        (dt.date(2027, 11, 11), "Armistice", "Armistice Day"),
        (dt.date(2028, 1, 1), "Jour de l'an", "New Year's Day"),
    ],
)
def test_it_closes_a_site_on_a_public_holiday(
    site: Site, day: dt.date, french: str, english: str
) -> None:
    with override("en"):
        schedule = site_schedule(site, day)
        assert schedule.closed_because == f"Public holiday: {english}"
    assert not schedule.is_open
    assert schedule.period("am") is None
    assert schedule.period("pm") is None
    with override("fr"):
        assert french in (site_schedule(site, day).closed_because or "")
        assert public_holiday_name(day) == french
    with override("en"):
        assert public_holiday_name(day) == english


def test_it_knows_easter_monday_and_ascension_move_each_year() -> None:
    with override("en"):
        assert public_holiday_name(dt.date(2026, 4, 6)) == "Easter Monday"
        assert public_holiday_name(EASTER_MONDAY_2027) == "Easter Monday"
        assert public_holiday_name(dt.date(2026, 4, 6) + dt.timedelta(days=365)) is None
        assert public_holiday_name(ASCENSION_2027) == "Ascension Day"
        assert public_holiday_name(dt.date(2026, 5, 14)) == "Ascension Day"


def test_it_lists_the_public_holidays_of_a_period_across_years() -> None:
    with override("en"):
        found = public_holidays(dt.date(2027, 12, 20), dt.date(2028, 1, 5))
    assert found == {dt.date(2027, 12, 25): "Christmas Day", dt.date(2028, 1, 1): "New Year's Day"}


def test_it_closes_a_site_from_the_first_to_the_last_day_of_a_closure(site: Site) -> None:
    ClosureFactory(
        site=site,
        start_date=dt.date(2027, 2, 1),
        end_date=dt.date(2027, 2, 5),
        reason="works",
        note_en="Fibre works",
        note_fr="Travaux de fibre",
    )
    with override("en"):
        days = site_schedules([site], dt.date(2027, 1, 31), dt.date(2027, 2, 6))[site.pk]
    assert days[dt.date(2027, 1, 31)].is_open
    for offset in range(5):
        day = days[dt.date(2027, 2, 1) + dt.timedelta(days=offset)]
        assert not day.is_open
        assert day.closed_because == "Works — Fibre works"
    assert days[dt.date(2027, 2, 6)].is_open
    assert days[dt.date(2027, 2, 6)].periods == [MORNING, AFTERNOON]


def test_a_closure_of_one_site_leaves_the_others_open(site: Site) -> None:
    other = SiteFactory()
    open_all_week(other)
    ClosureFactory(site=site, start_date=ORDINARY_WEDNESDAY, end_date=ORDINARY_WEDNESDAY)
    days = site_schedules([site, other], ORDINARY_WEDNESDAY, ORDINARY_WEDNESDAY)
    assert not days[site.pk][ORDINARY_WEDNESDAY].is_open
    assert days[other.pk][ORDINARY_WEDNESDAY].is_open


def test_it_names_the_reason_of_a_closure_without_a_note(site: Site) -> None:
    ClosureFactory(
        site=site, start_date=ORDINARY_WEDNESDAY, end_date=ORDINARY_WEDNESDAY, reason="staff"
    )
    with override("en"):
        assert site_schedule(site, ORDINARY_WEDNESDAY).closed_because == "Host absent"


def test_it_closes_a_site_on_weekdays_without_opening_hours() -> None:
    site = SiteFactory()
    open_all_week(site, days=(1, 3))  # Tuesdays and Thursdays
    with override("en"):
        days = site_schedules([site], dt.date(2027, 7, 19), dt.date(2027, 7, 25))[site.pk]
    open_days = [day.weekday() for day, schedule in days.items() if schedule.is_open]
    assert open_days == [1, 3]
    monday = days[dt.date(2027, 7, 19)]
    assert monday.closed_because == "Closed on this weekday"
    assert monday.period("am") is None


def test_it_gives_one_schedule_per_day_of_the_period(site: Site) -> None:
    days = site_schedules([site], dt.date(2027, 2, 25), dt.date(2027, 3, 2))[site.pk]
    assert list(days) == [
        dt.date(2027, 2, 25),
        dt.date(2027, 2, 26),
        dt.date(2027, 2, 27),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 2),
    ]


@pytest.mark.parametrize("count", [3, 50])
def test_schedules_take_two_queries_whatever_the_number_of_sites(count: int) -> None:
    sites = SiteFactory.create_batch(count)
    for site in sites:
        open_all_week(site)
        ClosureFactory(site=site, start_date=dt.date(2027, 7, 1), end_date=dt.date(2027, 7, 2))
    with CaptureQueriesContext(connection) as queries:
        result = site_schedules(sites, dt.date(2027, 6, 28), dt.date(2027, 7, 18))
    assert len(queries) == 2
    assert len(result) == count
    assert all(not days[dt.date(2027, 7, 1)].is_open for days in result.values())
    assert all(days[dt.date(2027, 6, 30)].is_open for days in result.values())


# --- Which sites, and what a site page reads --------------------------------------------------


def test_published_sites_leave_out_unpublished_ones() -> None:
    shown = SiteFactory(name="B")
    SiteFactory(name="A", is_published=False)
    other = SiteFactory(name="C")
    assert list(published_sites()) == [shown, other]
    assert list(published_sites(network=other.network)) == [other]


def test_a_site_page_lists_active_resources_and_published_annexes_only() -> None:
    site = SiteFactory(slug="murat")
    active = ResourceFactory(site=site, name="Poste 1")
    ResourceFactory(site=site, name="Poste 2", is_active=False)
    annex = AnnexFactory(network=site.network, parent=site)
    AnnexFactory(network=site.network, parent=site, is_published=False)
    page = site_for_page("murat")
    assert list(page.resources.all()) == [active]
    assert list(page.annexes.all()) == [annex]


def test_a_site_page_is_not_found_for_an_unpublished_or_unknown_site() -> None:
    SiteFactory(slug="cache", is_published=False)
    with pytest.raises(Site.DoesNotExist):
        site_for_page("cache")
    with pytest.raises(Site.DoesNotExist):
        site_for_page("nowhere")


def test_upcoming_closures_are_those_not_yet_over_within_the_horizon(site: Site) -> None:
    today = dt.date(2027, 7, 1)
    ClosureFactory(site=site, start_date=dt.date(2027, 6, 1), end_date=dt.date(2027, 6, 30))
    current = ClosureFactory(site=site, start_date=dt.date(2027, 6, 28), end_date=today)
    coming = ClosureFactory(site=site, start_date=dt.date(2027, 8, 1), end_date=dt.date(2027, 8, 2))
    ClosureFactory(site=site, start_date=dt.date(2027, 12, 1), end_date=dt.date(2027, 12, 2))
    assert upcoming_closures(site, today, days=60) == [current, coming]


def test_weekly_hours_give_monday_to_sunday_with_both_half_days(site: Site) -> None:
    closed_sunday = SiteFactory()
    open_all_week(closed_sunday, days=(0, 1, 2, 3, 4, 5))
    with override("en"):
        rows = weekly_hours(site_for_page(closed_sunday.slug))
    assert [label for _, label, _, _ in rows] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert rows[0][2:] == (MORNING, AFTERNOON)
    assert rows[6][2:] == (None, None)


def test_the_site_with_resources_lists_active_ones_and_hours_in_three_queries() -> None:
    site = SiteFactory(slug="murat")
    open_all_week(site, days=(4,))
    active = ResourceFactory(site=site, name="Poste 1")
    ResourceFactory(site=site, name="Poste 2", is_active=False)
    SiteFactory(slug="cache", is_published=False)
    with CaptureQueriesContext(connection) as queries:
        found = site_with_resources("murat")
        assert list(found.resources.all()) == [active]
        assert [(p.weekday, p.half_day) for p in found.opening_periods.all()] == [
            (4, "am"),
            (4, "pm"),
        ]
        assert found.network.pk == site.network_id
    assert len(queries) == 3
    with pytest.raises(Site.DoesNotExist):
        site_with_resources("cache")


def test_closure_reasons_are_kept_per_language() -> None:
    """Translated once per language and kept: each language still gets its own words."""
    for _round in range(2):
        with override("fr"):
            assert closure_reason_labels()["works"] == "Travaux"
        with override("en"):
            assert closure_reason_labels()["works"] == "Works"
