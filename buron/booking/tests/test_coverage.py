"""Bookings covered by rights (the offers participant): the cheapest right that applies,
pay-as-you-go otherwise, credits back when cancelled in time, consumed when late, kept on
a move; and the statements it adds to a booking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import coverage, participants, services
from buron.booking.models import Booking
from buron.offers import selectors as offer_selectors
from buron.offers import services as offers
from buron.offers.models import EntryKind, LedgerEntry, PayAsYouGo, Right
from buron.offers.tests.factories import OfferFactory, carnet, subscription, welcome_pack
from buron.places.models import Resource

from .conftest import DAY, NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def passes(site):
    return (
        OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("8.33")),
        OfferFactory(network=site.network, kind="day_pass", net_price=Decimal("16.67")),
    )


TODAY = NOW.date()


def grant(member, offer, starts_on=TODAY) -> Right:
    return offers.right_grant(member=member, offer=offer, starts_on=starts_on)


def book(member, site, period="am", day=DAY, **kwargs) -> Booking:
    return services.booking_create_half_day(
        member=member, site=site, day=day, period=period, now=NOW, **kwargs
    )


def balance(right: Right) -> int:
    return offer_selectors.right_balance(right=right)


def test_it_spends_a_carnet_credit_per_half_day_and_two_per_day(site, member, passes):
    right = grant(member, carnet(site.network, credits=5))
    morning = book(member, site, "am")
    assert morning.outcome["covered_by"] == "carnet"
    assert morning.outcome["right"] == str(right.pk)
    assert morning.outcome["payer"] == "member"
    assert balance(right) == 4
    book(member, site, "day", day=DAY + dt.timedelta(days=1))
    assert balance(right) == 2


def test_credits_per_period_are_set_per_offer(site, member, passes):
    right = grant(member, carnet(site.network, credits=5, half_day_credits=2, day_credits=3))
    book(member, site, "pm")
    assert balance(right) == 3


def test_without_a_right_the_booking_is_pay_as_you_go_at_the_published_price(site, member, passes):
    booking = book(member, site, "day")
    assert booking.outcome["covered_by"] == "pay_as_you_go"
    assert booking.outcome["amount_incl_vat"] == "20.00"
    row = PayAsYouGo.objects.get(booking_id=booking.pk)
    assert (row.amount_excl_vat, row.amount_incl_vat, row.offer) == (
        Decimal("16.67"),
        Decimal("20.00"),
        passes[1],
    )


def test_a_carnet_without_enough_credits_is_not_used(site, member, passes):
    right = grant(member, carnet(site.network, credits=1))
    booking = book(member, site, "day")
    assert booking.outcome["covered_by"] == "pay_as_you_go"
    assert balance(right) == 1


def test_an_expired_carnet_does_not_cover(site, member, passes):
    right = grant(member, carnet(site.network, days=10), starts_on=DAY - dt.timedelta(days=20))
    booking = book(member, site)
    assert booking.outcome["covered_by"] == "pay_as_you_go"
    assert balance(right) == 10


def test_an_offer_narrowed_to_other_sites_does_not_cover_here(site, other_site, member, passes):
    offer = carnet(site.network)
    offer.sites.set([other_site])
    right = grant(member, offer)
    assert book(member, site).outcome["covered_by"] == "pay_as_you_go"
    assert (
        book(member, other_site, day=DAY + dt.timedelta(days=1)).outcome["covered_by"] == "carnet"
    )
    assert balance(right) == 9


def test_the_cheapest_right_covers_welcome_then_subscription_then_carnet(site, member, passes):
    book_of_credits = grant(member, carnet(site.network))
    grant(member, subscription(site.network, days_per_week=1))
    assert book(member, site, "am").outcome["covered_by"] == "subscription"
    # Same day again: the subscription's day is already counted.
    assert book(member, site, "pm").outcome["covered_by"] == "subscription"
    # Another day that week: the one day a week is used, the carnet pays.
    other = book(member, site, "am", day=DAY + dt.timedelta(days=1))
    assert other.outcome["covered_by"] == "carnet"
    assert balance(book_of_credits) == 9
    grant(member, welcome_pack(site.network))
    welcome = book(member, site, "am", day=DAY + dt.timedelta(days=2))
    assert welcome.outcome["covered_by"] == "welcome_pack"
    assert balance(book_of_credits) == 9


def test_an_unlimited_subscription_covers_every_day(site, member, passes):
    grant(member, subscription(site.network, days_per_week=None))
    for n in range(4):
        assert (
            book(member, site, "day", day=DAY + dt.timedelta(days=n)).outcome["covered_by"]
            == "subscription"
        )


def test_cancelled_in_time_the_credit_comes_back(site, member, passes):
    right = grant(member, carnet(site.network, credits=3))
    booking = book(member, site, "day")
    assert balance(right) == 1
    cancelled = services.booking_cancel(booking=booking, by=member, now=NOW)
    assert cancelled.outcome["given_back"] == "yes"
    assert balance(right) == 3
    kinds = list(LedgerEntry.objects.filter(right=right).values_list("kind", "credits"))
    assert kinds == [("grant", 3), ("spend", -2), ("refund", 2)]


def test_cancelled_late_the_credit_is_consumed(site, member, passes):
    StaffRoleFactory(site=site, user=member)
    right = grant(member, carnet(site.network, credits=3))
    booking = book(member, site, "am")
    cancelled = services.booking_cancel(booking=booking, by=member, now=at(DAY, 8))
    assert cancelled.outcome["given_back"] == "no"
    assert balance(right) == 2


def test_pay_as_you_go_cancelled_in_time_is_no_longer_due(site, member, passes):
    booking = book(member, site, "am")
    services.booking_cancel(booking=booking, by=member, now=NOW)
    assert PayAsYouGo.objects.get(booking_id=booking.pk).status == "cancelled"


def test_a_move_keeps_the_coverage(site, member, passes):
    host = StaffRoleFactory(site=site).user
    right = grant(member, carnet(site.network, credits=3))
    first, second = Resource.objects.filter(site=site, kind="desk").order_by("name")
    booking = book(member, site, "am", resource=first)
    moved = services.booking_move(booking=booking, to=second, by=host)
    assert moved.outcome["covered_by"] == "carnet"
    assert balance(right) == 2
    found = offer_selectors.coverage_for_bookings(booking_ids=[booking.pk, moved.pk])
    assert found[moved.pk].right_id == right.pk and not found[moved.pk].given_back
    assert found[booking.pk].given_back
    # Cancelling the moved booking in time gives the one credit back, once.
    services.booking_cancel(booking=moved, by=member, now=NOW)
    assert balance(right) == 3


def test_a_moved_pay_as_you_go_follows_the_booking(site, member, passes):
    host = StaffRoleFactory(site=site).user
    first, second = Resource.objects.filter(site=site, kind="desk").order_by("name")
    booking = book(member, site, "am", resource=first)
    moved = services.booking_move(booking=booking, to=second, by=host)
    assert PayAsYouGo.objects.get().booking_id == moved.pk


def test_a_room_by_the_hour_is_not_covered_by_desk_rights(site, member, passes):
    right = grant(member, carnet(site.network))
    room = Resource.objects.get(site=site, kind="meeting_room")
    booking = services.booking_create_hours(
        member=member, resource=room, start=at(DAY, 9), end=at(DAY, 10), now=NOW
    )
    assert "covered_by" not in booking.outcome
    assert balance(right) == 10


def test_a_series_spends_a_credit_per_occurrence(site, member, passes):
    right = grant(member, carnet(site.network, credits=2))
    result = services.series_create(
        member=member,
        site=site,
        weekdays=[1, 2, 3],
        period="am",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=2),
        now=NOW,
    )
    assert len(result.booked) == 3
    assert balance(right) == 0
    assert PayAsYouGo.objects.count() == 1


def _statements(member, site, day) -> int:
    with CaptureQueriesContext(connection) as queries:
        book(member, site, "am", day=day, notify=False)
    return len(queries.captured_queries)


def test_coverage_adds_at_most_two_statements_to_a_booking(site, passes):
    with_right, without_right, baseline = (
        UserFactory(email=f"count{n}@example.org") for n in range(3)
    )
    grant(with_right, carnet(site.network))
    days = [DAY + dt.timedelta(days=n) for n in range(4)]
    # Warm the caches (site rules) once, then count.
    book(UserFactory(email="warm@example.org"), site, "am", day=days[0])
    participants.participant_unregister(name=coverage.NAME)
    try:
        plain = _statements(baseline, site, days[1])
    finally:
        coverage.connect()
    assert _statements(with_right, site, days[2]) <= plain + 2
    assert _statements(without_right, site, days[3]) <= plain + 2
    assert LedgerEntry.objects.filter(kind=EntryKind.SPEND).count() == 1
    assert PayAsYouGo.objects.filter(member=without_right).count() == 1
