"""Meeting-room hours bought in a service pack: spent by a room booked by the hour inside
the booking's transaction, given back when cancelled in time, never below zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from buron.booking import services
from buron.offers import selectors as offer_selectors
from buron.offers import services as offers
from buron.offers.models import EntryKind, LedgerEntry, Right
from buron.offers.tests.factories import OfferFactory
from buron.places.models import Resource

from .conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def hours_pack(site, hours: int = 3, service: str = "meeting_room_hours") -> Right:
    offer = OfferFactory(
        network=site.network,
        kind="service_pack",
        service=service,
        quantity=hours,
        validity_months=12,
        net_price=Decimal("30.00"),
    )
    return offer


def room(site) -> Resource:
    return site.resources.get(kind="meeting_room")


def test_a_room_booked_by_the_hour_spends_the_pack_s_hours_and_gets_them_back(site, member):
    right = offers.right_grant(member=member, offer=hours_pack(site), starts_on=NOW.date())
    booking = services.booking_create_hours(
        member=member, resource=room(site), start=at(DAY, 9), end=at(DAY, 11), now=NOW
    )
    assert booking.outcome["covered_by"] == "service_pack"
    assert booking.outcome["right"] == str(right.pk)
    assert offer_selectors.right_balance(right=right) == 1
    services.booking_cancel(booking=booking, by=member, now=NOW)
    assert offer_selectors.right_balance(right=right) == 3
    kinds = list(LedgerEntry.objects.filter(right=right).values_list("kind", "credits"))
    assert kinds == [(EntryKind.GRANT, 3), (EntryKind.SPEND, -2), (EntryKind.REFUND, 2)]


def test_a_pack_with_too_few_hours_or_of_another_room_kind_is_not_used(site, member):
    short = offers.right_grant(member=member, offer=hours_pack(site, 1), starts_on=NOW.date())
    visio = offers.right_grant(
        member=member,
        offer=hours_pack(site, 10, service="visio_room_hours"),
        starts_on=NOW.date(),
    )
    booking = services.booking_create_hours(
        member=member, resource=room(site), start=at(DAY, 9), end=at(DAY, 11), now=NOW
    )
    assert "covered_by" not in booking.outcome
    assert offer_selectors.right_balance(right=short) == 1
    assert offer_selectors.right_balance(right=visio) == 10


def test_a_desk_booking_does_not_touch_room_hours(site, member):
    right = offers.right_grant(member=member, offer=hours_pack(site), starts_on=NOW.date())
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    assert offer_selectors.right_balance(right=right) == 3
