"""Blocks show in the host's day and week plans even when bookings hold every slot, and
the plans' queries do not grow with blocks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buron.accounts.tests.factories import UserFactory
from buron.booking import services
from buron.booking.models import BookingSlot
from buron.places.tests.factories import ResourceFactory

from .conftest import DAY, NOW, desks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


@pytest.fixture
def blocked_behind_bookings(site, host, member):
    """Poste 1 booked for the whole of DAY, then blocked for DAY and the day after."""
    first = desks(site)[0]
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="day", resource=first, now=NOW
    )
    block = services.resource_block(
        resource=first,
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=1),
        by=host,
        note="Screen replaced",
    ).block
    # The block holds nothing on DAY: the booking holds both half-days.
    assert not BookingSlot.objects.filter(booking=block, day=DAY, is_active=True).exists()
    return first, booking, block


def test_the_day_plan_shows_a_block_behind_the_bookings_to_move(
    client, host, site, blocked_behind_bookings
):
    first, booking, block = blocked_behind_bookings
    client.force_login(host)
    response = client.get(
        reverse("booking:manage_site", kwargs={"slug": "murat"}), {"date": "2027-03-02"}
    )
    plan = response.context["plan"]
    row = next(r for r in plan.half_day_rows if r.resource == first)
    assert [c.block for c in row.cells] == [block, block]
    assert [c.holder for c in row.cells] == [booking, booking]
    other = next(r for r in plan.half_day_rows if r.resource != first)
    assert [c.block for c in other.cells] == [None, None]
    assert [b for b, _last in response.context["blocks"]] == [block]
    html = response.content.decode()
    assert html.count("To move:") == 2
    assert "Screen replaced" in html


def test_the_week_plan_shows_a_block_behind_the_bookings_to_move(
    client, host, site, member, blocked_behind_bookings
):
    first, booking, block = blocked_behind_bookings
    client.force_login(host)
    response = client.get(
        reverse("booking:manage_week", kwargs={"slug": "murat"}), {"date": "2027-03-02"}
    )
    row = next(r for r in response.context["plan"].rows if r.resource == first)
    assert row.days[0].holders == [block, booking]
    assert row.days[0].block == block
    assert row.days[1].holders == [block]
    assert row.days[2].holders == [] and row.days[2].block is None
    assert "To move:" in response.content.decode()


@pytest.mark.parametrize("page", ["manage_site", "manage_week"])
def test_the_plans_queries_do_not_grow_with_blocks(client, host, site, member, page):
    client.force_login(host)
    address = reverse(f"booking:{page}", kwargs={"slug": "murat"})
    client.get(address, {"date": "2027-03-02"})  # warm-up: sessions, caches
    with CaptureQueriesContext(connection) as few:
        client.get(address, {"date": "2027-03-02"})
    for n in range(3):
        desk = ResourceFactory(site=site, name=f"Poste extra {n}")
        services.booking_create_half_day(
            member=UserFactory(), site=site, day=DAY, period="day", resource=desk, now=NOW
        )
        services.resource_block(resource=desk, start_date=DAY, end_date=DAY, by=host)
    with CaptureQueriesContext(connection) as many:
        response = client.get(address, {"date": "2027-03-02"})
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
