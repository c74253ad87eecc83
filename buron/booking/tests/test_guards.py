"""Exact edges of the booking's guards: the cancellation deadline to the microsecond, and the
host pages' refusal to send anyone to another site after an action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from buron.booking import services
from buron.booking.errors import BookingRefused
from buron.booking.models import Booking, BookingPolicy

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(site, member):
    BookingPolicy.objects.create(network=site.network, site=site, cancellation_deadline_hours=24)
    return services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)


def test_a_member_may_cancel_at_the_deadline_itself(booking, member):
    deadline = booking.start - dt.timedelta(hours=24)
    services.booking_cancel(booking=booking, by=member, now=deadline)
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_a_member_may_not_cancel_a_microsecond_after_the_deadline(booking, member):
    deadline = booking.start - dt.timedelta(hours=24)
    with pytest.raises(BookingRefused) as caught:
        services.booking_cancel(
            booking=booking, by=member, now=deadline + dt.timedelta(microseconds=1)
        )
    assert caught.value.code == "deadline_passed"
    booking.refresh_from_db()
    assert booking.status == "active"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/gestion/murat/",
        "//evil.example/gestion/murat/",
        "http://evil.example",
        "///evil.example/",
        "https:/evil.example",
        "javascript:alert(1)",
    ],
)
def test_a_host_action_never_sends_to_another_site(client, host, booking, target):
    client.force_login(host)
    response = client.post(
        reverse("booking:manage_cancel", kwargs={"slug": "murat", "pk": booking.pk}),
        {"next": target},
    )
    assert response.status_code == 302
    plan = reverse("booking:manage_site", kwargs={"slug": "murat"})
    assert response["Location"] == f"{plan}?date={DAY.isoformat()}"
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_a_host_action_goes_back_to_a_page_of_this_site(client, host, booking):
    client.force_login(host)
    back = reverse("booking:manage_week", kwargs={"slug": "murat"}) + "?date=2027-03-01"
    response = client.post(
        reverse("booking:manage_cancel", kwargs={"slug": "murat", "pk": booking.pk}),
        {"next": back},
    )
    assert response["Location"] == back


def test_an_https_page_does_not_send_back_over_plain_http(client, host, booking):
    client.force_login(host)
    response = client.post(
        reverse("booking:manage_cancel", kwargs={"slug": "murat", "pk": booking.pk}),
        {"next": "http://testserver/gestion/murat/semaine/"},
        secure=True,
    )
    plan = reverse("booking:manage_site", kwargs={"slug": "murat"})
    assert response["Location"] == f"{plan}?date={DAY.isoformat()}"
