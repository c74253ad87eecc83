"""Any value in any field: long, empty, unicode, control characters, NUL. No form and no API
call answers 500, and a refused request writes nothing (property-based, with hypothesis)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"

# Models whose rows a refused request must leave as they were (the rate counters and the
# cache count attempts on purpose).
WATCHED_APPS = {"accounts", "account", "booking", "places", "offers"}

weird_text = st.one_of(
    st.just(""),
    st.just("\x00"),
    st.text(max_size=30),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30),
    st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zl", "Zp")), min_size=1, max_size=30),
    st.text(alphabet="aé😀\u202e\x00\n", min_size=250, max_size=400),
    st.text(min_size=1000, max_size=5000),
)

VALID = {
    "date": "2027-03-02",
    "until": "2027-03-03",
    "start_date": "2027-03-02",
    "end_date": "2027-03-09",
    "valid_from": "2027-03-02",
    "period": "am",
    "kind": "desk",
    "site": "murat",
    "status": "freelancer",
    "commune": "",
    "weekdays": "1",
    "email": "someone@example.org",
    "login": "someone@example.org",
    "password": "not the password",
    "password1": "a long and quiet walk 42",
    "password2": "a long and quiet walk 42",
    "first_name": "Camille",
    "last_name": "Martin",
    "start_hour": "9",
    "hours": "1",
}


def values_for(fields: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Each field either a valid value or a weird one, so that checks past the first field
    are reached too."""
    return st.fixed_dictionaries(
        {name: st.one_of(st.just(VALID.get(name, "")), weird_text) for name in fields}
    )


def snapshot() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in WATCHED_APPS
    }


HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def member(db):
    return UserFactory(email="camille@example.org")


@pytest.fixture
def host(site):
    return StaffRoleFactory(site=site, user__email="host.murat@example.org").user


@pytest.fixture
def as_member(client: Client, member) -> Client:
    client.force_login(member)
    return client


@pytest.fixture
def as_host(client: Client, host) -> Client:
    client.force_login(host)
    return client


def _check_page(client: Client, method: str, url: str, data: dict[str, str]) -> None:
    before = snapshot()
    response = getattr(client, method)(url, data)
    assert response.status_code < 500
    if response.status_code != 302:  # refused (or only shown): nothing written
        assert snapshot() == before


PAGES_ANONYMOUS = [
    (
        "post",
        "account_signup",
        [
            *("email", "password1", "password2", "first_name", "last_name"),
            *("status", "employer_name", "commune"),
        ],
    ),
    ("post", "account_login", ["login", "password"]),
    ("post", "account_reset_password", ["email"]),
]


@pytest.mark.parametrize(("method", "name", "fields"), PAGES_ANONYMOUS)
def test_anonymous_forms_take_any_input(client, site, method, name, fields):
    @HYPOTHESIS
    @given(data=values_for(fields))
    def check(data: dict[str, str]) -> None:
        _check_page(client, method, reverse(name), data)

    check()


PAGES_MEMBER = [
    ("post", "accounts:profile", ["first_name", "last_name", "commune", "phone"]),
    ("post", "accounts:status", ["status", "employer_name", "valid_from"]),
    ("post", "accounts:close", ["password"]),
    ("get", "booking:search", ["date", "until", "period", "kind", "site", "near"]),
    ("get", "booking:book", ["site", "date", "kind", "period", "resource"]),
    (
        "post",
        "booking:book",
        ["site", "date", "kind", "period", "resource", "start_hour", "hours"],
    ),
    ("post", "booking:series", ["site", "kind", "weekdays", "period", "start_date", "end_date"]),
]


@pytest.mark.parametrize(("method", "name", "fields"), PAGES_MEMBER)
def test_member_forms_take_any_input(as_member, site, method, name, fields):
    @HYPOTHESIS
    @given(data=values_for(fields))
    def check(data: dict[str, str]) -> None:
        _check_page(as_member, method, reverse(name), data)

    check()


PAGES_HOST = [
    (
        "post",
        "booking:manage_book",
        ["email", "date", "kind", "resource", "period", "start_hour", "hours"],
    ),
    ("post", "booking:manage_block", ["resource", "start_date", "end_date", "note"]),
    ("get", "booking:manage_site", ["date"]),
    ("get", "booking:manage_week", ["date"]),
]


@pytest.mark.parametrize(("method", "name", "fields"), PAGES_HOST)
def test_host_forms_take_any_input(as_host, site, method, name, fields):
    @HYPOTHESIS
    @given(data=values_for(fields))
    def check(data: dict[str, str]) -> None:
        _check_page(as_host, method, reverse(name, kwargs={"slug": "murat"}), data)

    check()


def test_path_values_take_any_input(as_host, site):
    @HYPOTHESIS
    @given(value=weird_text.filter(lambda v: "/" not in v))
    def check(value: str) -> None:
        for url in (
            f"/api/v1/sites/{value}",
            f"/gestion/{value}/",
            f"/calendrier/{value}.ics",
            f"/{value}/",
        ):
            assert as_host.get(url).status_code < 500, url

    check()


json_value = st.one_of(
    weird_text,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), max_size=3),
)


def test_api_booking_takes_any_json(client, site, member):
    token = api_token_create(user=member)
    fields = ["site", "date", "period", "kind", "resource", "start", "end"]

    @HYPOTHESIS
    @given(
        body=st.fixed_dictionaries(
            {name: st.one_of(st.just(VALID.get(name, "")), json_value) for name in fields}
        )
    )
    def check(body: dict[str, Any]) -> None:
        before = snapshot()
        response = client.post(
            "/api/v1/bookings",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code < 500
        if response.status_code != 201:
            assert snapshot() == before
        response.json()

    check()


def test_api_queries_take_any_input(client, site, member):
    token = api_token_create(user=member)

    @HYPOTHESIS
    @given(query=values_for(["date", "period", "site", "kind", "near"]))
    def check(query: dict[str, str]) -> None:
        before = snapshot()
        for url in ("/api/v1/availability", "/api/v1/sites", "/api/v1/bookings"):
            response = client.get(url, query, HTTP_AUTHORIZATION=f"Bearer {token}")
            assert response.status_code < 500, url
            response.json()
        assert snapshot() == before

    check()


def test_api_tokens_take_any_input(client, site):
    @HYPOTHESIS
    @given(token=weird_text)
    def check(token: str) -> None:
        header = f"Bearer {token}".encode("utf-8", "surrogatepass").decode("latin-1")
        response = client.get("/api/v1/bookings", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401

    check()
