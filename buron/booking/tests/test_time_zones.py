"""Times are shown on the site's clock: a network overseas reads its own hours everywhere
(member pages, host pages, emails, refusals), not the hours of Paris."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from buron.accounts.tests.factories import StaffRoleFactory
from buron.booking import services
from buron.booking.errors import BookingRefused
from buron.booking.models import BookingPolicy
from buron.places.tests.factories import (
    NetworkFactory,
    OpeningPeriodFactory,
    ResourceFactory,
    SiteFactory,
)

from .conftest import DAY, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


@pytest.fixture
def reunion(site):
    """The test site moved to La Réunion: 8:30 there is 5:30 in Paris (in March)."""
    site.network.time_zone = "Indian/Reunion"
    site.network.save()
    return site


@pytest.fixture
def booking(reunion, member):
    return services.booking_create_half_day(
        member=member, site=reunion, day=DAY, period="am", now=NOW, notify=False
    )


def test_the_booking_holds_the_sites_local_morning(booking):
    assert booking.start.isoformat() == "2027-03-02T08:30:00+04:00"
    assert booking.start == dt.datetime(2027, 3, 2, 4, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("page", ["booking:mine", "booking:detail", "booking:cancel"])
def test_member_pages_show_the_sites_hours(client, member, booking, page):
    client.force_login(member)
    kwargs = {} if page == "booking:mine" else {"pk": booking.pk}
    html = client.get(reverse(page, kwargs=kwargs)).content.decode()
    assert "08:30–12:30" in html
    assert "05:30" not in html


def test_the_hosts_day_plan_shows_the_sites_hours(client, reunion, booking):
    host = StaffRoleFactory(site=reunion).user
    client.force_login(host)
    html = client.get(
        reverse("booking:manage_site", kwargs={"slug": reunion.slug}), {"date": DAY.isoformat()}
    ).content.decode()
    assert "08:30–12:30" in html
    assert "05:30" not in html


def test_the_hosts_cancel_page_shows_the_sites_hours(client, reunion, booking):
    host = StaffRoleFactory(site=reunion).user
    client.force_login(host)
    html = client.get(
        reverse("booking:manage_cancel", kwargs={"slug": reunion.slug, "pk": booking.pk})
    ).content.decode()
    assert "08:30–12:30" in html
    assert "05:30" not in html


def test_the_hosts_today_is_the_sites_today(client, reunion):
    """At 22:00 in Paris it is already the next day in La Réunion."""
    host = StaffRoleFactory(site=reunion).user
    late = dt.datetime(2027, 3, 1, 22, 0, tzinfo=dt.UTC)  # 23:00 Paris, 02:00 Réunion
    with time_machine.travel(late, tick=False):
        client.force_login(host)
        html = client.get(reverse("booking:manage_site", kwargs={"slug": reunion.slug})).content
    assert b'datetime="2027-03-02"' in html


def test_the_confirmation_email_gives_the_sites_hours(
    reunion, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create_half_day(member=member, site=reunion, day=DAY, period="am", now=NOW)
    assert "08:30" in mail.outbox[0].body
    assert "05:30" not in mail.outbox[0].body


def test_a_late_cancellation_names_the_deadline_on_the_sites_clock(reunion, member, booking):
    BookingPolicy.objects.create(network=reunion.network, cancellation_deadline_hours=24)
    # One hour before the start: the deadline (the day before, 08:30 local) has passed.
    with pytest.raises(BookingRefused) as caught:
        services.booking_cancel(
            booking=booking, by=member, now=booking.start - dt.timedelta(hours=1)
        )
    message = " ".join(caught.value.messages)
    assert "8:30" in message and "5:30" not in message


def test_the_daily_limit_counts_a_date_across_time_zones(reunion, member):
    """One member, one date, two networks sixteen hours of clock apart: a Guadeloupe room
    at 22:00 and a Réunion desk at 6:00 start 24 hours apart, and still share the date."""
    BookingPolicy.objects.update_or_create(
        network=reunion.network, site=None, defaults={"max_per_member_per_day": 1}
    )
    reunion.opening_periods.filter(half_day="am").delete()
    for weekday in range(7):
        OpeningPeriodFactory(site=reunion, weekday=weekday, half_day="am", opens=dt.time(6))
    guadeloupe = SiteFactory(network=NetworkFactory(time_zone="America/Guadeloupe"))
    for weekday in range(7):
        OpeningPeriodFactory(
            site=guadeloupe, weekday=weekday, half_day="pm", opens=dt.time(13), closes=dt.time(23)
        )
    room = ResourceFactory(site=guadeloupe, kind="meeting_room", booking_unit="hour", capacity=4)
    antilles = zoneinfo.ZoneInfo("America/Guadeloupe")
    evening = services.booking_create_hours(
        member=member,
        resource=room,
        start=dt.datetime(2027, 3, 2, 22, tzinfo=antilles),
        end=dt.datetime(2027, 3, 2, 23, tzinfo=antilles),
        now=NOW,
    )
    assert evening.slots.get().day == DAY

    with pytest.raises(BookingRefused) as refused:
        services.booking_create_half_day(
            member=member, site=reunion, day=DAY, period="am", now=NOW, notify=False
        )
    assert refused.value.error_dict["date"][0].code == "member_daily_limit"
