"""A member's data export and account closure, seen from their bookings."""

from __future__ import annotations

import datetime as dt

import pytest

from buron.accounts import services
from buron.accounts.models import ApiToken, MemberProfile, StatusPeriod
from buron.booking import services as booking_services
from buron.booking.models import Booking

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


def test_closing_an_account_erases_personal_data_and_keeps_anonymous_bookings(site, member):
    services.member_status_change(
        user=member, status="salaried_remote", employer_name="Acme", valid_from=DAY
    )
    booking = booking_services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    services.api_token_create(user=member)
    booking_services.series_create(
        member=member,
        site=site,
        weekdays=[DAY.weekday()],
        period="pm",
        start_date=DAY + dt.timedelta(days=7),
        end_date=DAY + dt.timedelta(days=14),
        now=NOW,
    )
    exported = services.member_data_export(user=member)
    assert exported["account"]["email"] == "camille@example.org"
    ids = [b["id"] for b in exported["bookings"]]
    assert ids[0] == booking.pk and len(ids) == 3  # the booking and two recurring ones
    assert [r["site"] for r in exported["recurring_bookings"]] == ["murat"]

    services.member_close(user=member)

    member.refresh_from_db()
    assert member.email.endswith("@erased.invalid")
    assert (member.first_name, member.last_name, member.is_active) == ("", "", False)
    assert not member.has_usable_password()
    assert member.last_login is None
    assert not MemberProfile.objects.filter(user=member).exists()
    assert not StatusPeriod.objects.filter(user=member).exists()
    assert not ApiToken.objects.filter(user=member).exists()
    booking = Booking.objects.get(pk=booking.pk)
    assert (booking.visitor_status, booking.employer_name) == ("salaried_remote", "")
    assert "camille" not in str(services.member_data_export(user=member)).lower()
