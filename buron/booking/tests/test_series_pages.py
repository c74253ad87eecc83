"""A recurring booking lists its cancelled and moved days apart from its active ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from buron.booking import selectors, services
from buron.booking.models import BookingSeries

from .conftest import DAY, NOW, desks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


def test_a_recurring_booking_lists_cancelled_and_moved_days_apart(client, host, site, member):
    first, second = desks(site)
    series = services.series_create(
        member=member,
        site=site,
        weekdays=[1],
        period="am",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=14),
        now=NOW,
    ).series  # Tuesdays 2, 9 and 16 March
    on = {b.start.date(): b for b in series.bookings.all()}
    tuesday2, tuesday9, tuesday16 = dt.date(2027, 3, 2), dt.date(2027, 3, 9), dt.date(2027, 3, 16)
    assert on[tuesday9].resource == first
    services.booking_cancel(booking=on[tuesday2], by=member, now=NOW)
    moved = services.booking_move(booking=on[tuesday9], to=second, by=host)

    client.force_login(member)
    page = client.get(reverse("booking:series_detail", kwargs={"pk": series.pk}))
    rows = {r["day"]: r for r in page.context["rows"]}
    assert rows[tuesday2]["bookings"] == [] and rows[tuesday2]["cancelled"] == [on[tuesday2]]
    assert rows[tuesday9]["bookings"] == [moved]
    assert rows[tuesday9]["cancelled"] == [on[tuesday9]]
    assert rows[tuesday16]["bookings"] == [on[tuesday16]]
    assert page.context["booked"] == 2
    assert page.context["cancelled_days"] == 1
    assert page.context["missed"] == 0
    assert page.context["cancelled"] == [on[tuesday2], on[tuesday9]]
    html = page.content.decode()
    assert "2 days booked" in html and "1 day cancelled" in html
    assert "not booked" not in html


def test_series_occurrences_keep_active_and_cancelled_bookings_apart(site, member):
    series = services.series_create(
        member=member, site=site, weekdays=[1], period="am", start_date=DAY, end_date=DAY, now=NOW
    ).series
    booking = series.bookings.get()
    services.booking_cancel(booking=booking, by=member, now=NOW)
    series = BookingSeries.objects.select_related("site__network").get(pk=series.pk)
    (occurrence,) = selectors.series_occurrences(series=series)
    assert (occurrence.day, occurrence.bookings, occurrence.cancelled) == (DAY, [], [booking])
