"""Abuse limits of the API and of every request: calls per token (429 with Retry-After),
bodies too large (413, DEBUG or not), values echoed back shortened."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import UserFactory
from buron.core.models import RateCounter
from buron.core.ratelimit import rate_hit

pytestmark = pytest.mark.django_db

BIG = 3 * 1024 * 1024  # past Django's 2.5 MB for bodies without files


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@override_settings(API_RATE_PER_TOKEN="3/3600s")
def test_calls_past_the_limit_get_429_with_retry_after(client):
    first = api_token_create(user=UserFactory())
    second = api_token_create(user=UserFactory())
    for _call in range(3):
        assert client.get("/api/v1/bookings", **auth(first)).status_code == 200
    refused = client.get("/api/v1/bookings", **auth(first))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert refused.json()["detail"]
    # The count is per token: another member's token goes on.
    assert client.get("/api/v1/bookings", **auth(second)).status_code == 200


@override_settings(API_RATE_PER_TOKEN="3/3600s")
def test_two_tokens_of_one_member_are_counted_apart(client):
    member = UserFactory()
    first, second = api_token_create(user=member), api_token_create(user=member)
    for _call in range(3):
        client.get("/api/v1/bookings", **auth(first))
    assert client.get("/api/v1/bookings", **auth(first)).status_code == 429
    assert client.get("/api/v1/bookings", **auth(second)).status_code == 200


@override_settings(API_RATE_PER_TOKEN="off")
def test_the_limit_can_be_turned_off(client):
    token = api_token_create(user=UserFactory())
    for _call in range(5):
        assert client.get("/api/v1/bookings", **auth(token)).status_code == 200


def test_a_call_without_a_valid_token_is_refused_before_it_is_counted(client):
    response = client.get("/api/v1/bookings", **auth("brn_not-a-token"))
    assert response.status_code == 401
    assert not RateCounter.objects.exists()


def test_the_counter_starts_again_with_each_window():
    assert rate_hit(name="t", limit=2, period=60, now=120.0).allowed
    assert rate_hit(name="t", limit=2, period=60, now=150.0).allowed
    refused = rate_hit(name="t", limit=2, period=60, now=170.5)
    assert not refused.allowed
    assert refused.retry_after == 10  # the window ends at 180
    assert rate_hit(name="t", limit=2, period=60, now=180.0).allowed
    assert RateCounter.objects.get(name="t").calls == 1


@pytest.mark.parametrize("debug", [False, True])
def test_an_api_body_too_large_is_refused_with_413(client, debug):
    token = api_token_create(user=UserFactory())
    body = json.dumps({"site": "x" * BIG})
    with override_settings(DEBUG=debug):
        response = client.post(
            "/api/v1/bookings", body, content_type="application/json", **auth(token)
        )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"] or "trop" in response.json()["detail"]
    assert len(response.content) < 500


@pytest.mark.parametrize("debug", [False, True])
def test_a_form_body_too_large_is_refused_with_413(client, debug):
    with override_settings(DEBUG=debug):
        response = client.post(
            reverse("account_login"),
            "login=" + "x" * BIG,
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 413
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("debug", [False, True])
def test_a_multipart_body_whose_text_is_too_large_is_refused_with_413(client, debug):
    with override_settings(DEBUG=debug):
        response = client.post(reverse("account_login"), {"login": "x" * BIG})
    assert response.status_code == 413
    assert b"Traceback" not in response.content


def test_an_upload_past_the_limit_is_refused_with_413(client):
    with override_settings(REQUEST_MAX_BYTES=1024 * 1024):
        response = client.post(
            reverse("account_login"),
            b"x" * (2 * 1024 * 1024),
            content_type="multipart/form-data; boundary=xyz",
        )
    assert response.status_code == 413


def test_a_long_slug_is_not_echoed_whole(client):
    slug = "s" * (2 * 1024 * 1024)
    response = client.get("/api/v1/availability", {"date": "2027-03-02", "site": slug})
    assert response.status_code == 422
    assert len(response.content) < 1000
    assert "sss…" in response.json()["errors"]["site"][0]


def test_a_long_date_is_not_echoed_whole(client):
    response = client.get("/api/v1/availability", {"date": "9" * 100_000})
    assert response.status_code == 422
    assert len(response.content) < 1000


def test_a_long_booking_field_is_refused_without_echo(client):
    token = api_token_create(user=UserFactory())
    body = json.dumps({"site": "s" * 1_000_000, "date": "2027-03-02", "period": "am"})
    response = client.post("/api/v1/bookings", body, content_type="application/json", **auth(token))
    assert response.status_code == 422
    assert len(response.content) < 1000
