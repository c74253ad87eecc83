"""The week view counts a room taken only when all its open hours are booked, and its
queries do not grow with the hours booked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buron.accounts.tests.factories import UserFactory
from buron.booking import selectors, services
from buron.places.models import Resource, Site
from buron.places.tests.factories import ResourceFactory

from .conftest import DAY, NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


def room(site):
    return Resource.objects.get(site=site, name="Salle")


def book_hours(site, first, last, day=DAY):
    """Book the room from `first` to `last` o'clock, one hour per member."""
    for hour in range(first, last):
        services.booking_create_hours(
            member=UserFactory(),
            resource=room(site),
            start=at(day, hour),
            end=at(day, hour + 1),
            now=NOW,
        )


def week_cell(site, period, day=DAY, kind="meeting_room"):
    table = selectors.availability_week(
        start=DAY, days=7, period=period, kind=kind, sites=Site.objects.filter(pk=site.pk)
    )
    ((_site, cells),) = table
    return next(c for c in cells if c.day == day)


def test_an_afternoon_hour_booked_leaves_the_room_free_in_the_morning(site):
    book_hours(site, 14, 15)
    assert week_cell(site, "am").free == 1
    assert week_cell(site, "pm").free == 1
    assert week_cell(site, "day").free == 1


def test_a_room_is_full_for_a_period_once_every_open_hour_of_it_is_booked(site):
    book_hours(site, 9, 12)  # 09:00, 10:00 and 11:00: every whole hour of 8:30–12:30
    assert week_cell(site, "am").free == 0
    assert week_cell(site, "pm").free == 1
    assert week_cell(site, "day").free == 1
    book_hours(site, 14, 18)
    assert week_cell(site, "pm").free == 0
    assert week_cell(site, "day").free == 0


def test_the_search_week_table_says_a_partly_booked_room_is_free(client, member, site):
    book_hours(site, 14, 16)
    client.force_login(member)
    response = client.get(
        reverse("booking:search"), {"date": DAY.isoformat(), "period": "am", "kind": "meeting_room"}
    )
    murat = dict(response.context["week"])[site]
    assert next(c for c in murat if c.day == DAY).free == 1
    assert "while at least one of its hours in that period is free" in response.content.decode()


def test_the_week_views_queries_do_not_grow_with_booked_hours(site):
    sites = Site.objects.filter(pk=site.pk)
    with CaptureQueriesContext(connection) as few:
        selectors.availability_week(
            start=DAY, days=7, period="day", kind="meeting_room", sites=sites
        )
    ResourceFactory(site=site, kind="meeting_room", name="Salle 2", booking_unit="hour")
    book_hours(site, 9, 12)
    book_hours(site, 14, 17, day=DAY + dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        selectors.availability_week(
            start=DAY, days=7, period="day", kind="meeting_room", sites=sites
        )
    assert len(many) == len(few)
