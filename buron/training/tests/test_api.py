"""GET /api/v1/trainings and the idempotent POST /api/v1/enrolments."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.test import Client

from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import UserFactory
from buron.training.models import Enrolment

from .conftest import NOW


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def post(client: Client, token: str, body: object, **headers: str):
    return client.post(
        "/api/v1/enrolments",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def test_it_lists_published_programmes_with_their_sessions(client: Client, session):
    body = client.get("/api/v1/trainings").json()
    assert [p["slug"] for p in body] == ["teletravail-bases"]
    programme = body[0]
    assert programme["declaration_number"] == "84150000015"
    [listed] = programme["sessions"]
    assert listed["id"] == session.pk
    assert listed["site"] == "murat"
    assert listed["free"] == 3 and listed["places"] == 3 and listed["open"] is True
    assert [h["start"] for h in listed["half_days"]] == [
        "2027-03-02T08:00:00Z",
        "2027-03-02T12:30:00Z",
    ]


def test_an_adviser_enrols_a_job_seeker_once_with_the_same_key(
    client: Client, session, adviser, france_travail
):
    token = api_token_create(user=adviser)
    body = {
        "session": session.pk,
        "organisation": france_travail.pk,
        "email": "jean@example.org",
        "first_name": "Jean",
        "last_name": "Dupont",
        "france_travail_id": "1234567A",
        "funding": "aif",
        "funder": france_travail.pk,
    }
    first = post(client, token, body, HTTP_IDEMPOTENCY_KEY="ft-1")
    again = post(client, token, body, HTTP_IDEMPOTENCY_KEY="ft-1")
    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == again.json()
    assert first.json()["status"] == "confirmed"
    assert Enrolment.objects.count() == 1
    # Without the key, the same request is a second try: refused, nothing written.
    duplicate = post(client, token, body)
    assert duplicate.status_code == 422
    assert Enrolment.objects.count() == 1


def test_the_api_refuses_bad_enrolments_field_by_field(client: Client, session, france_travail):
    learner = UserFactory()
    token = api_token_create(user=learner)
    assert post(client, token, {"session": 999999}).status_code == 422
    refused = post(
        client,
        token,
        {
            "session": session.pk,
            "organisation": france_travail.pk,
            "email": "x@example.org",
            "france_travail_id": "1234567A",
            "funding": "aif",
            "funder": france_travail.pk,
        },
    )
    assert refused.status_code == 422
    assert Enrolment.objects.count() == 0
    mine = post(client, token, {"session": session.pk})
    assert mine.status_code == 201 and mine.json()["learner"] == learner.email
    unauthenticated = client.post(
        "/api/v1/enrolments",
        data=json.dumps({"session": session.pk}),
        content_type="application/json",
    )
    assert unauthenticated.status_code == 401
