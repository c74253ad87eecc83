from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

from buron.booking import services
from buron.booking.errors import SlotTaken

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


def test_a_confirmation_is_emailed_once_the_booking_is_committed(
    site, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking = services.booking_create_half_day(
            member=member, site=site, day=DAY, period="am", now=NOW
        )
        assert mail.outbox == [], "nothing is sent before the commit"
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    assert site.name in mail.outbox[0].subject
    assert booking.resource.name in mail.outbox[0].body
    assert "08:30" in mail.outbox[0].body


def test_a_recurring_booking_sends_one_email_listing_every_occurrence(
    site, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.series_create(
            member=member,
            site=site,
            weekdays=[1, 3],
            period="am",
            start_date=DAY,
            end_date=DAY + dt.timedelta(days=7),
            now=NOW,
        )
    assert len(mail.outbox) == 1
    assert len(result.booked) == 3
    assert mail.outbox[0].body.count(site.name) == 3


def test_no_email_when_the_booking_fails(site, member, member2, django_capture_on_commit_callbacks):
    third = type(member).objects.create_user("third@example.org", "x")
    for m in (member, member2):
        services.booking_create_half_day(member=m, site=site, day=DAY, period="am", now=NOW)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SlotTaken):
        services.booking_create_half_day(member=third, site=site, day=DAY, period="am", now=NOW)
    assert mail.outbox == []


def test_the_email_speaks_the_language_of_the_request(
    site, member, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    assert "Your booking is confirmed" in mail.outbox[0].body
