"""One rule says whether a booking can still be cancelled, for members and hosts alike."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from buron.booking import selectors, services
from buron.booking.models import BookingPolicy

from .conftest import DAY, NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


def test_booking_cancellable_follows_the_sites_deadline(site, member, member2, host):
    BookingPolicy.objects.create(network=site.network, site=site, cancellation_deadline_hours=24)
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    deadline = at(DAY, 8, 30) - dt.timedelta(hours=24)
    assert selectors.booking_cancellable(booking=booking, by=member, now=NOW) == (True, deadline)
    assert selectors.booking_cancellable(booking=booking, by=member, now=deadline) == (
        True,
        deadline,
    )
    late = deadline + dt.timedelta(minutes=1)
    assert selectors.booking_cancellable(booking=booking, by=member, now=late) == (False, deadline)
    # Another member never; the site's staff past the deadline, but not once it is over.
    assert selectors.booking_cancellable(booking=booking, by=member2, now=NOW)[0] is False
    assert selectors.booking_cancellable(booking=booking, by=host, now=late)[0] is True
    assert selectors.booking_cancellable(booking=booking, by=host, now=at(DAY, 13))[0] is False
    services.booking_cancel(booking=booking, by=member, now=NOW)
    booking.refresh_from_db()
    assert selectors.booking_cancellable(booking=booking, by=host, now=NOW)[0] is False


def test_cancellation_deadlines_give_the_same_answer_for_each_booking(site, other_site, member):
    BookingPolicy.objects.create(network=site.network, site=site, cancellation_deadline_hours=48)
    tomorrow = DAY + dt.timedelta(days=1)
    bookings = [
        services.booking_create_half_day(member=member, site=s, day=d, period="am", now=NOW)
        for s, d in ((site, DAY), (other_site, tomorrow))
    ]
    when = at(DAY, 7)
    answers = selectors.cancellation_deadlines(bookings=bookings, by=member, now=when)
    assert answers == {
        b.pk: selectors.booking_cancellable(booking=b, by=member, now=when) for b in bookings
    }
    assert answers[bookings[0].pk] == (False, at(DAY, 8, 30) - dt.timedelta(hours=48))
    assert answers[bookings[1].pk] == (True, at(tomorrow, 6, 30))


def test_a_host_booking_for_themselves_may_cancel_past_the_deadline_like_the_service(
    client, host, site
):
    booking = services.booking_create_half_day(
        member=host, site=site, day=DAY, period="am", now=NOW
    )
    with time_machine.travel(at(DAY, 8), tick=False):
        client.force_login(host)
        detail = client.get(reverse("booking:detail", kwargs={"pk": booking.pk}))
        assert detail.context["can_cancel"] is True
        page = client.get(reverse("booking:cancel", kwargs={"pk": booking.pk}))
        assert page.context["can_cancel"] is True
        mine = client.get(reverse("booking:mine"))
        assert [can for _b, _deadline, can, _paid in mine.context["upcoming"]] == [True]
        client.post(reverse("booking:cancel", kwargs={"pk": booking.pk}))
    booking.refresh_from_db()
    assert booking.status == "cancelled"
