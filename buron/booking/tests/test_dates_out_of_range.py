"""Dates out of any sane range are refused with a message on every search, plan and form,
never a crash."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from buron.booking.models import Booking, BookingSeries

from .conftest import NOW, desks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


@pytest.mark.parametrize("day", ["9999-12-30", "9999-12-31", "0001-01-01", "1999-12-31"])
def test_search_refuses_a_day_out_of_range(client, member, site, day):
    client.force_login(member)
    response = client.get(reverse("booking:search"), {"date": day, "period": "am", "kind": "desk"})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["date"]] == [
        "date_out_of_range"
    ]
    assert "Choose a date between 1 January 2000 and 31 December 2100." in (
        response.content.decode()
    )


def test_search_until_the_last_day_of_the_range_still_works(client, member, site):
    client.force_login(member)
    response = client.get(
        reverse("booking:search"), {"date": "2100-12-31", "period": "am", "kind": "desk"}
    )
    assert response.status_code == 200
    assert response.context["results"] is not None


@pytest.mark.parametrize("page", ["manage_site", "manage_week"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_host_plans_fall_back_to_today_for_a_day_out_of_range(client, host, site, page, day):
    client.force_login(host)
    response = client.get(reverse(f"booking:{page}", kwargs={"slug": "murat"}), {"date": day})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["date"][0].code == "date_out_of_range"
    assert response.context["previous"] < NOW.date() < response.context["next"]


@pytest.mark.parametrize(("page", "step"), [("manage_site", 1), ("manage_week", 7)])
def test_the_host_plans_offer_no_link_past_the_range(client, host, site, page, step):
    client.force_login(host)
    address = reverse(f"booking:{page}", kwargs={"slug": "murat"})
    last = client.get(address, {"date": "2100-12-31"})
    assert last.status_code == 200
    assert last.context["next"] is None
    assert last.context["previous"] == dt.date(2100, 12, 31) - dt.timedelta(days=step)
    assert "date=2101-" not in last.content.decode()
    first = client.get(address, {"date": "2000-01-01"})
    assert first.status_code == 200
    assert first.context["previous"] is None
    assert "date=1999-" not in first.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("booking:book", {"site": "murat", "date": "9999-12-31", "period": "am"}, "date"),
        (
            "booking:series",
            {
                "site": "murat",
                "kind": "desk",
                "weekdays": ["1"],
                "period": "am",
                "start_date": "2027-03-02",
                "end_date": "9999-12-31",
            },
            "end_date",
        ),
    ],
)
def test_member_forms_refuse_a_day_out_of_range(client, member, site, name, data, field):
    client.force_login(member)
    response = client.post(reverse(name), data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == [
        "date_out_of_range"
    ]
    assert Booking.objects.count() == 0 and BookingSeries.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        (
            "booking:manage_book",
            {"email": "camille@example.org", "date": "9999-12-31", "period": "am"},
            "date",
        ),
        (
            "booking:manage_block",
            {"start_date": "2027-03-02", "end_date": "9999-12-31"},
            "end_date",
        ),
    ],
)
def test_host_forms_refuse_a_day_out_of_range(client, host, member, site, name, data, field):
    client.force_login(host)
    if name == "booking:manage_block":
        data = {**data, "resource": desks(site)[0].pk}
    address = reverse(name, kwargs={"slug": "murat"})
    assert client.get(address, {"date": "9999-12-31"}).status_code == 200
    response = client.post(address, data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == [
        "date_out_of_range"
    ]
    assert Booking.objects.count() == 0
