from __future__ import annotations

import json

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from buron.accounts.services import api_token_create
from buron.booking.api import FreeResourceOut, SiteAvailabilityOut
from buron.booking.models import Booking, BookingSlot
from buron.places.models import Resource

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def token(member) -> str:
    return api_token_create(user=member)


def post(client: Client, token: str | None, body: object, **headers: str):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(
        "/api/v1/bookings", data=json.dumps(body), content_type="application/json", **headers
    )


def test_it_lists_availability_per_site(client, site, other_site):
    response = client.get(f"/api/v1/availability?date={DAY}&period=am")
    assert response.status_code == 200
    by_site = {row["site"]: row for row in response.json()}
    assert by_site["murat"]["free"] == 2
    assert {r["name"] for r in by_site["murat"]["resources"]} == {"Poste 1", "Poste 2"}
    assert by_site["allanche"]["free"] == 1
    # Every field of the documented shape, nothing else.
    assert set(by_site["murat"]) == set(SiteAvailabilityOut.model_fields)
    desk = by_site["allanche"]["resources"][0]
    assert set(desk) == set(FreeResourceOut.model_fields)
    assert desk["kind"] == "desk" and desk["free_hours"] is None and desk["capacity"] == 1


def test_availability_filters_by_site_and_kind_and_shows_room_hours(client, site, other_site):
    response = client.get(f"/api/v1/availability?date={DAY}&period=am&kind=meeting_room&site=murat")
    rows = response.json()
    assert [r["site"] for r in rows] == ["murat"]
    assert rows[0]["resources"][0]["free_hours"] == ["09:00", "10:00", "11:00"]


def test_availability_rejects_bad_input_field_by_field(client, site):
    response = client.get(
        "/api/v1/availability?date=2027-02-30&period=night&kind=sofa&site=nowhere"
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"date", "period", "kind", "site"}


def test_availability_messages_follow_the_language(client, site):
    en = client.get("/api/v1/availability?date=x&period=am", HTTP_ACCEPT_LANGUAGE="en")
    fr = client.get("/api/v1/availability?date=x&period=am", HTTP_ACCEPT_LANGUAGE="fr")
    assert "is not a date" in en.json()["errors"]["date"][0]
    assert en.json()["errors"]["date"][0] != fr.json()["errors"]["date"][0]


def test_it_books_a_desk_and_lists_and_cancels_it(client, site, token):
    response = post(client, token, {"site": "murat", "date": str(DAY), "period": "am"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"id", "resource", "site", "start", "end", "status"}
    assert body["site"] == "murat" and body["status"] == "active"
    mine = client.get("/api/v1/bookings", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [b["id"] for b in mine] == [body["id"]]
    deleted = client.delete(f"/api/v1/bookings/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert deleted.status_code == 200
    assert deleted.json()["status"] == "cancelled"
    assert not BookingSlot.objects.filter(is_active=True).exists()


def test_it_books_a_room_by_the_hour(client, site, token):
    room = Resource.objects.get(site=site, kind="meeting_room")
    response = post(
        client,
        token,
        {"resource": room.pk, "start": f"{DAY}T09:00:00+01:00", "end": f"{DAY}T11:00:00+01:00"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["resource"] == room.pk


def test_it_answers_409_with_alternatives_when_taken(client, site, other_site, token, member2):
    other = api_token_create(user=member2)
    third_user = type(member2).objects.create_user("third@example.org", "x")
    third = api_token_create(user=third_user)
    assert (
        post(client, token, {"site": "murat", "date": str(DAY), "period": "am"}).status_code == 201
    )
    assert (
        post(client, other, {"site": "murat", "date": str(DAY), "period": "am"}).status_code == 201
    )
    response = post(client, third, {"site": "murat", "date": str(DAY), "period": "am"})
    assert response.status_code == 409
    assert response.json()["alternatives"][0]["site"] == "allanche"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"site", "date", "period"}),
        ({"site": "murat", "date": "02/03/2027", "period": "am"}, {"date"}),
        ({"site": "murat", "date": str(DAY), "period": "evening"}, {"period"}),
        ({"site": "nowhere", "date": str(DAY), "period": "am"}, {"site"}),
        (
            {"resource": 999999, "start": "x", "end": f"{DAY}T11:00:00"},
            {"resource", "start", "end"},
        ),
        ({"site": "murat", "date": "2027-05-06", "period": "am"}, {"date"}),
        ({"site": 12, "date": str(DAY), "period": "am"}, {"site"}),
    ],
)
def test_it_rejects_invalid_input_with_a_message_per_field(client, site, token, body, fields):
    response = post(client, token, body)
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == fields
    assert not Booking.objects.exists()


def test_it_refuses_without_a_valid_token(client, site, token):
    assert (
        post(client, None, {"site": "murat", "date": str(DAY), "period": "am"}).status_code == 401
    )
    assert (
        post(client, "brn_wrong", {"site": "murat", "date": str(DAY), "period": "am"}).status_code
        == 401
    )
    assert client.get("/api/v1/bookings").status_code == 401
    assert not Booking.objects.exists()


def test_the_same_idempotency_key_replays_the_first_answer(client, site, token):
    body = {"site": "murat", "date": str(DAY), "period": "am"}
    first = post(client, token, body, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = post(client, token, body, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Booking.objects.count() == 1
    other_body = post(client, token, {**body, "period": "pm"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert other_body.status_code == 422
    assert Booking.objects.count() == 1
    without_key = post(client, token, {**body, "period": "pm"})
    assert without_key.status_code == 201
    assert Booking.objects.count() == 2


def test_a_key_is_per_user(client, site, token, member2):
    other = api_token_create(user=member2)
    body = {"site": "murat", "date": str(DAY), "period": "am"}
    assert post(client, token, body, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    second = post(client, other, body, HTTP_IDEMPOTENCY_KEY="k")
    assert second.status_code == 201
    assert Booking.objects.count() == 2


def test_deleting_someone_elses_booking_is_404(client, site, token, member2):
    created = post(client, token, {"site": "murat", "date": str(DAY), "period": "am"}).json()
    other = api_token_create(user=member2)
    response = client.delete(
        f"/api/v1/bookings/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {other}"
    )
    assert response.status_code == 404
    assert Booking.objects.get(pk=created["id"]).status == "active"
    listed = client.get("/api/v1/bookings", HTTP_AUTHORIZATION=f"Bearer {other}").json()
    assert listed == []


def test_commands_create_a_member_and_print_a_token_alone(capsys, site):
    call_command(
        "member_create",
        "--email",
        "new@example.org",
        "--category",
        "salaried_remote",
        "--employer",
        "Acme",
    )
    capsys.readouterr()
    call_command("api_token_create", "--email", "new@example.org")
    printed = capsys.readouterr().out
    token = printed.strip()
    assert printed == token + "\n"
    client = Client()
    response = post(client, token, {"site": "murat", "date": str(DAY), "period": "am"})
    assert response.status_code == 201
    assert Booking.objects.get().visitor_status == "salaried_remote"


def test_member_create_refuses_a_salaried_worker_without_employer(site):
    from django.core.management.base import CommandError

    from buron.accounts.models import User

    with pytest.raises(CommandError, match="employer"):
        call_command("member_create", "--email", "x@example.org", "--category", "salaried_remote")
    assert not User.objects.filter(email="x@example.org").exists()


def test_openapi_lists_the_booking_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/availability", "/api/v1/bookings", "/api/v1/bookings/{booking_id}"} <= set(
        paths
    )


def test_a_host_cannot_cancel_another_sites_booking_through_the_api(client, site, token):
    from buron.accounts.tests.factories import StaffRoleFactory
    from buron.places.tests.factories import SiteFactory

    aurillac = SiteFactory(network=site.network, slug="aurillac")
    host_of_aurillac = StaffRoleFactory(site=aurillac).user
    host_token = api_token_create(user=host_of_aurillac)
    created = post(client, token, {"site": "murat", "date": str(DAY), "period": "am"}).json()
    response = client.delete(
        f"/api/v1/bookings/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {host_token}"
    )
    assert response.status_code == 404
    assert Booking.objects.get(pk=created["id"]).status == "active"
    assert client.get("/api/v1/bookings", HTTP_AUTHORIZATION=f"Bearer {host_token}").json() == []


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_dates_out_of_range_are_refused_not_crashed(client, site, token, day):
    response = client.get(f"/api/v1/availability?date={day}&period=am")
    assert response.status_code == 422
    assert "date" in response.json()["errors"]
    response = post(client, token, {"site": "murat", "date": day, "period": "am"})
    assert response.status_code == 422
    room = Resource.objects.get(site=site, kind="meeting_room")
    response = post(
        client,
        token,
        {"resource": room.pk, "start": f"{day}T23:00:00-05:00", "end": f"{day}T23:30:00-05:00"},
    )
    assert response.status_code == 422
    assert not Booking.objects.exists()


def test_the_rules_read_with_the_site_hold_through_the_api(client, site, token):
    """A booking by site name takes the site's rules that day from the same read as the
    site: closures, public holidays, closed weekdays and the site's own policy over its
    network's are all enforced there, with the message on the date."""
    from buron.booking.models import BookingPolicy
    from buron.places.tests.factories import ClosureFactory

    ClosureFactory(site=site, start_date=DAY, end_date=DAY, reason="works")
    site.opening_periods.filter(weekday=2).delete()  # no Wednesdays any more
    BookingPolicy.objects.create(network=site.network, horizon_days=60)
    BookingPolicy.objects.create(network=site.network, site=site, horizon_days=20)

    def refused(day: str) -> str:
        response = post(
            client, token, {"site": "murat", "date": day, "period": "am"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 422, response.content
        assert set(response.json()["errors"]) == {"date"}
        return response.json()["detail"]

    assert "closed" in refused(str(DAY))
    assert "Easter Monday" in refused("2027-03-29")
    assert "Closed on this weekday" in refused("2027-03-03")
    # 2027-03-18 is within the network's 60 days, beyond the site's own 20.
    assert "20 days ahead" in refused("2027-03-18")
    assert not Booking.objects.exists()
    response = post(client, token, {"site": "murat", "date": "2027-03-01", "period": "am"})
    assert response.status_code == 201, response.content


def test_every_booking_answer_has_its_documented_shape(client, site, other_site, token, member2):
    """Booking answers are written out directly (not validated again on the way out): each
    one must still read as its schema says, times as the other endpoints write them."""
    from buron.booking.api import BookingOut, ErrorOut, TakenOut

    created = post(client, token, {"site": "murat", "date": str(DAY), "period": "day"})
    assert created.status_code == 201
    BookingOut.model_validate(created.json())
    assert created.json()["covered_by"] == "pay_as_you_go"
    assert created.json()["payer"] == "member"
    (listed,) = client.get("/api/v1/bookings", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert created.json() == listed
    # The same key replays the same bytes.
    body = {"site": "murat", "date": str(DAY), "period": "am"}
    first = post(client, token, body, HTTP_IDEMPOTENCY_KEY="k-shape")
    again = post(client, token, body, HTTP_IDEMPOTENCY_KEY="k-shape")
    assert first.status_code == again.status_code == 422
    assert first.content == again.content
    ErrorOut.model_validate(first.json())
    second = api_token_create(user=member2)
    post(client, second, {"site": "murat", "date": str(DAY), "period": "day"})
    third = api_token_create(user=type(member2).objects.create_user("t@example.org", "x"))
    taken = post(client, third, {"site": "murat", "date": str(DAY), "period": "am"})
    assert taken.status_code == 409
    assert TakenOut.model_validate(taken.json()).alternatives
    made = post(
        client,
        second,
        {"site": "allanche", "date": "2027-03-03", "period": "am"},
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    replayed = post(
        client,
        second,
        {"site": "allanche", "date": "2027-03-03", "period": "am"},
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert made.status_code == replayed.status_code == 201
    assert made.content == replayed.content
