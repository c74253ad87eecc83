"""A site's rules for a day are read once and kept under the rules' versions: a booking
reads no hours, closures or policy the second time, and any change to them is seen by the
very next booking — in this process or another, which sees it through the site's row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buron.booking import services
from buron.booking.errors import BookingRefused
from buron.booking.models import BookingPolicy
from buron.places.models import OpeningPeriod, Site
from buron.places.rules import site_rules_changed
from buron.places.tests.factories import ClosureFactory

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db

NEXT_DAY = DAY + dt.timedelta(days=1)


def fresh(site):
    """The site as the next request reads it."""
    return Site.objects.select_related("network").get(pk=site.pk)


def book(member, site, day=DAY, period="am"):
    return services.booking_create_half_day(
        member=member, site=site, day=day, period=period, now=NOW
    )


def refusal_code(member, site, day=DAY, period="am"):
    with pytest.raises(BookingRefused) as caught:
        book(member, site, day, period)
    return next(iter(caught.value.error_dict.values()))[0].code


def test_the_second_booking_reads_no_rules(site, member, member2):
    book(member, fresh(site))
    with CaptureQueriesContext(connection) as queries:
        book(member2, fresh(site))
    # The slots' claim (an INSERT) checks that no closure came meanwhile (a departure's
    # race, store.slots_claim); no statement reads the rules again.
    reads = " ".join(
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith("INSERT")
    )
    for table in ("places_openingperiod", "places_closure", "booking_bookingpolicy"):
        assert table not in reads


def test_a_closure_added_after_a_booking_is_seen_by_the_next(site, member, member2):
    book(member, fresh(site))
    ClosureFactory(site=Site.objects.get(pk=site.pk), start_date=DAY, end_date=DAY)
    assert refusal_code(member2, fresh(site)) == "closed"


def test_a_closure_removed_is_seen_too(site, member, member2):
    closure = ClosureFactory(site=site, start_date=DAY, end_date=DAY)
    assert refusal_code(member, fresh(site)) == "closed"
    closure.delete()
    book(member2, fresh(site))


def test_hours_changed_are_seen_by_the_next_booking(site, member, member2):
    book(member, fresh(site), period="pm")
    OpeningPeriod.objects.get(site=site, weekday=DAY.weekday(), half_day="am").delete()
    assert refusal_code(member2, fresh(site)) == "period_closed"


def test_a_network_policy_set_after_a_booking_is_seen_by_the_next(site, member):
    book(member, fresh(site))
    BookingPolicy.objects.create(network=site.network, max_per_member_per_day=1)
    assert refusal_code(member, fresh(site), period="pm") == "member_daily_limit"


def test_a_sites_own_policy_is_seen_by_the_next_booking(site, member):
    book(member, fresh(site), day=NEXT_DAY)
    BookingPolicy.objects.create(network=site.network, site=site, horizon_days=3)
    assert refusal_code(member, fresh(site), day=NEXT_DAY, period="pm") == "too_far_ahead"


def test_a_write_that_skips_the_signals_is_seen_once_it_says_so(site, member, member2):
    book(member, fresh(site), period="pm")
    before = fresh(site).rules_version
    # The morning moved to Sunday by an update(), which sends no signal...
    OpeningPeriod.objects.filter(site=site, weekday=DAY.weekday(), half_day="am").update(weekday=6)
    assert fresh(site).rules_version == before
    # ...so the writer raises the version itself.
    site_rules_changed(site_id=site.pk)
    assert refusal_code(member2, fresh(site)) == "period_closed"


def test_the_copy_in_memory_follows_its_own_changes(site, member, member2):
    """Changes made through objects holding this very site raise its version in memory too,
    so a caller keeping the site object sees them."""
    book(member, site)
    ClosureFactory(site=site, start_date=DAY, end_date=DAY)
    assert refusal_code(member2, site) == "closed"
