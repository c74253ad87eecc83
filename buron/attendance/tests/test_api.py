"""POST /api/v1/checkins: for members' apps, door systems and kiosks."""

from __future__ import annotations

import json
import uuid

import pytest
import time_machine
from django.test import Client

from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import StaffRoleFactory
from buron.attendance.api import VisitOut
from buron.attendance.models import Visit

from .conftest import DAY, allanche, at, aurillac, book

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkins"


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(at(DAY, 9, 5), tick=False):
        yield


def post(client: Client, token: str | None, body: object, **headers: str):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def test_it_needs_a_token(client, site):
    response = post(client, None, {"site": "murat", "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 401
    response = post(client, "brn_wrong", {"site": "murat", "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 401
    assert Visit.objects.count() == 0


def test_a_member_checks_in_once_however_often_it_is_sent(client, site, member):
    booking = book(member, site)
    token = api_token_create(user=member)
    body = {
        "site": "murat",
        "client_uuid": str(uuid.uuid4()),
        "arrived_at": "2027-03-02T08:50:00+01:00",
    }
    first = post(client, token, body)
    assert first.status_code == 201
    data = first.json()
    assert set(data) == set(VisitOut.model_fields)
    assert data["arrived_at"] == "2027-03-02T07:50:00Z"
    assert (data["booking"], data["member"], data["source"]) == (
        booking.pk,
        "camille@example.org",
        "api",
    )
    assert (data["visitor_status"], data["km_avoided"], data["co2_kg_avoided"]) == (
        "freelancer",
        "95.4",
        "20.797",
    )
    again = post(client, token, body)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Visit.objects.count() == 1


def test_an_idempotency_key_replays_the_first_answer(client, site, member):
    token = api_token_create(user=member)
    body = {"site": "murat", "client_uuid": str(uuid.uuid4())}
    first = post(client, token, body, HTTP_IDEMPOTENCY_KEY="door-42")
    replay = post(client, token, body, HTTP_IDEMPOTENCY_KEY="door-42")
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    other = post(
        client, token, {**body, "client_uuid": str(uuid.uuid4())}, HTTP_IDEMPOTENCY_KEY="door-42"
    )
    assert other.status_code == 422
    assert Visit.objects.count() == 1


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(client, site, member):
    token = api_token_create(user=member)
    response = post(client, token, {})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"site", "client_uuid"}
    response = post(
        client,
        token,
        {"site": "nowhere", "client_uuid": "42", "arrived_at": "tomorrow morning"},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"site", "client_uuid", "arrived_at"}
    response = post(
        client,
        token,
        {
            "site": "murat",
            "client_uuid": str(uuid.uuid4()),
            "arrived_at": "2027-03-02T12:00:00+01:00",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["arrived_at"] == ["A check-in cannot be in the future."]
    response = post(client, token, {"site": ["murat"], "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 422 and "site" in response.json()["errors"]
    assert Visit.objects.count() == 0


def test_errors_speak_the_callers_language(client, site, member):
    token = api_token_create(user=member)
    response = post(client, token, {"site": "murat"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["client_uuid"] == ["This field is required."]
    response = post(client, token, {"site": "murat"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["errors"]["client_uuid"] == ["Ce champ est obligatoire."]


def test_a_door_system_checks_in_members_and_walk_ins_at_its_site(client, site, member):
    door = StaffRoleFactory(site=site, user__email="door.murat@example.org").user
    token = api_token_create(user=door)
    response = post(
        client, token, {"site": "murat", "client_uuid": str(uuid.uuid4()), "member": member.email}
    )
    assert response.status_code == 201
    assert response.json()["member"] == "camille@example.org"
    assert Visit.objects.get(member=member).recorded_by == door
    allanche()
    aurillac()
    walk_in = {
        "site": "murat",
        "client_uuid": str(uuid.uuid4()),
        "status": "salaried_remote",
        "commune": "15001",
        "work_commune": "15014",
    }
    response = post(client, token, walk_in)
    assert response.status_code == 201
    assert (response.json()["member"], response.json()["km_avoided"]) == (None, "95.4")
    # Refusals per field: unknown status, commune, member; a walk-in needs a commune.
    response = post(
        client,
        token,
        {**walk_in, "client_uuid": str(uuid.uuid4()), "status": "pirate", "commune": "99999"},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"status", "commune"}
    response = post(client, token, {**walk_in, "client_uuid": str(uuid.uuid4()), "commune": None})
    assert set(response.json()["errors"]) == {"commune"}
    response = post(
        client,
        token,
        {"site": "murat", "client_uuid": str(uuid.uuid4()), "member": "nobody@example.org"},
    )
    assert response.status_code == 422 and set(response.json()["errors"]) == {"member"}
    assert Visit.objects.count() == 2


def test_staff_of_another_site_or_network_get_404_and_members_403(
    client, site, other_site, foreign_site, member, member2
):
    mende = StaffRoleFactory(site=foreign_site, user__email="door.mende@example.org").user
    allanche_host = StaffRoleFactory(site=other_site, user__email="door.allanche@example.org").user
    for staff in (mende, allanche_host):
        response = post(
            client,
            api_token_create(user=staff),
            {"site": "murat", "client_uuid": str(uuid.uuid4()), "member": member.email},
        )
        assert response.status_code == 404
    # A member checks in only themselves.
    response = post(
        client,
        api_token_create(user=member2),
        {"site": "murat", "client_uuid": str(uuid.uuid4()), "member": member.email},
    )
    assert response.status_code == 403
    response = post(
        client,
        api_token_create(user=member2),
        {"site": "murat", "client_uuid": str(uuid.uuid4()), "status": "other", "commune": "15138"},
    )
    assert response.status_code == 403
    assert Visit.objects.count() == 0
