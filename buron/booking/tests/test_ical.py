"""The member's calendar feed: one event per booking, and nobody else's."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from buron.accounts.services import calendar_token_rotate, member_close
from buron.booking import services
from buron.booking.models import Booking
from buron.places.models import Resource

from .conftest import DAY, NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def uid(booking):
    return f"booking-{booking.pk}@{urlparse(settings.SITE_URL).hostname}"


def feed(client, user):
    return client.get(reverse("booking:ical", kwargs={"token": calendar_token_rotate(user=user)}))


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def bookings(site, other_site, member, member2):
    room = Resource.objects.get(site=site, kind="meeting_room")
    desk = services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    hours = services.booking_create_hours(
        member=member, resource=room, start=at(DAY, 14), end=at(DAY, 16), now=NOW
    )
    cancelled = services.booking_create_half_day(
        member=member, site=other_site, day=DAY + dt.timedelta(days=1), period="day", now=NOW
    )
    services.booking_cancel(booking=cancelled, by=member, now=NOW)
    others = services.booking_create_half_day(
        member=member2, site=site, day=DAY, period="pm", now=NOW
    )
    return {"desk": desk, "hours": hours, "cancelled": cancelled, "others": others}


def test_the_feed_is_a_calendar_of_exactly_the_members_bookings(client, member, bookings):
    response = feed(client, member)  # no login: the secret address is the key
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    mine = Booking.objects.filter(member=member)
    assert set(found) == {uid(b) for b in mine}
    assert uid(bookings["others"]) not in found
    for booking in mine.select_related("site", "resource"):
        event = found[uid(booking)]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start == booking.start and end == booking.end
        assert start.utcoffset() == dt.timedelta(0) and str(start.tzinfo) == "UTC"
        assert booking.site.name in str(event["SUMMARY"])
        assert booking.resource.name in str(event["SUMMARY"])
        assert str(event["LOCATION"]) == (
            f"{booking.site.address}, {booking.site.postal_code} {booking.site.commune_name}"
        )


def test_a_cancelled_booking_stays_as_cancelled_and_the_others_confirmed(client, member, bookings):
    found = events(feed(client, member))
    assert str(found[uid(bookings["cancelled"])]["STATUS"]) == "CANCELLED"
    assert str(found[uid(bookings["desk"])]["STATUS"]) == "CONFIRMED"
    assert str(found[uid(bookings["hours"])]["STATUS"]) == "CONFIRMED"


def test_the_room_event_has_its_hours_in_utc(client, member, bookings):
    event = events(feed(client, member))[uid(bookings["hours"])]
    assert event.decoded("DTSTART") == dt.datetime(2027, 3, 2, 13, 0, tzinfo=dt.UTC)
    assert b"DTSTART:20270302T130000Z" in feed(client, member).content


def test_the_uid_of_a_booking_does_not_change(client, member, bookings):
    first = set(events(feed(client, member)))
    services.booking_cancel(booking=bookings["desk"], by=member, now=NOW)
    second = events(feed(client, member))
    assert set(second) == first
    assert str(second[uid(bookings["desk"])]["STATUS"]) == "CANCELLED"


def test_the_other_members_feed_has_only_their_booking(client, member2, bookings):
    assert set(events(feed(client, member2))) == {uid(bookings["others"])}


def test_bookings_long_past_are_left_out(client, member, site):
    old_day = dt.date(2026, 10, 6)
    old = services.booking_create_half_day(
        member=member, site=site, day=old_day, period="am", now=at(old_day, 7)
    )
    recent_day = dt.date(2027, 2, 16)
    recent = services.booking_create_half_day(
        member=member, site=site, day=recent_day, period="am", now=at(recent_day, 7)
    )
    assert set(events(feed(client, member))) == {uid(recent)}
    assert old.pk != recent.pk


def test_an_unknown_address_is_not_found(client, member):
    response = client.get(reverse("booking:ical", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 404


def test_a_closed_accounts_address_stops_working(client, member, bookings):
    token = calendar_token_rotate(user=member)
    member_close(user=member)
    response = client.get(reverse("booking:ical", kwargs={"token": token}))
    assert response.status_code == 404


def test_only_the_whole_secret_opens_the_feed(client, member, bookings):
    token = calendar_token_rotate(user=member)
    assert client.get(reverse("booking:ical", kwargs={"token": token})).status_code == 200
    for wrong in (token[:-1], token[:20], token + "x", token.upper(), "x" * 5000):
        response = client.get(reverse("booking:ical", kwargs={"token": wrong}))
        assert response.status_code == 404, wrong


def test_an_inactive_accounts_address_is_not_served(client, member, bookings):
    token = calendar_token_rotate(user=member)
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(reverse("booking:ical", kwargs={"token": token})).status_code == 404


def test_the_secret_itself_is_not_stored(member):
    token = calendar_token_rotate(user=member)
    member.profile.refresh_from_db()
    stored = [str(value) for value in vars(member.profile).values()]
    assert not [value for value in stored if token in value]
