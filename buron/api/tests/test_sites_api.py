"""The read-only sites API under /api/v1/."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from buron.places.tests.factories import (
    AnnexFactory,
    ClosureFactory,
    NetworkFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Client:
    return client


def get(client: Client, path: str) -> tuple[int, object]:
    response = client.get(f"/api/v1{path}", secure=True)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


def test_it_lists_the_published_sites_with_where_they_are(api: Client) -> None:
    network = NetworkFactory(slug="cantal")
    murat = SiteFactory(
        network=network,
        name="Télécentre de Murat",
        slug="murat",
        download_mbps=200,
        upload_mbps=100,
        has_fibre=True,
    )
    AnnexFactory(network=network, parent=murat, name="Murat — extension", slug="murat-ext")
    SiteFactory(network=network, name="Caché", slug="cache", is_published=False)

    status, body = get(api, "/sites")

    assert status == 200
    assert body == [
        {
            "slug": "murat-ext",
            "name": "Murat — extension",
            "kind": "annex",
            "network": "cantal",
            "parent": "murat",
            "commune": "Murat",
            "insee_code": "15138",
            "postal_code": "15300",
            "address": "Place de la Mairie",
            "latitude": 45.110573,
            "longitude": 2.86929,
            "has_fibre": False,
            "download_mbps": None,
            "upload_mbps": None,
            "step_free_access": False,
        },
        {
            "slug": "murat",
            "name": "Télécentre de Murat",
            "kind": "telecentre",
            "network": "cantal",
            "parent": None,
            "commune": "Murat",
            "insee_code": "15138",
            "postal_code": "15300",
            "address": "Place de la Mairie",
            "latitude": 45.110573,
            "longitude": 2.86929,
            "has_fibre": True,
            "download_mbps": 200,
            "upload_mbps": 100,
            "step_free_access": False,
        },
    ]


def test_coordinates_are_json_numbers_with_their_six_decimals(api: Client) -> None:
    SiteFactory(
        slug="saint-denis",
        insee_code="97411",
        postal_code="97400",
        latitude=Decimal("-20.882057"),
        longitude=Decimal("55.450675"),
    )
    response = api.get("/api/v1/sites", secure=True)
    assert b'"latitude": -20.882057' in response.content
    assert b'"longitude": 55.450675' in response.content
    (site,) = response.json()
    assert isinstance(site["latitude"], float)
    assert Decimal(str(site["latitude"])) == Decimal("-20.882057")


def test_it_lists_nothing_when_no_site_is_published(api: Client) -> None:
    SiteFactory(is_published=False)
    assert get(api, "/sites") == (200, [])


@pytest.mark.parametrize("count", [3, 60])
def test_the_list_takes_the_same_queries_whatever_the_number_of_sites(
    api: Client, count: int
) -> None:
    network = NetworkFactory()
    telecentres = SiteFactory.create_batch(count - count // 3, network=network)
    for parent in telecentres[: count // 3]:
        AnnexFactory(network=network, parent=parent)
    with CaptureQueriesContext(connection) as queries:
        status, body = get(api, "/sites")
    assert status == 200
    assert isinstance(body, list)
    assert len(body) == count
    assert len(queries) == 1, [q["sql"] for q in queries]


@time_machine.travel(dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC), tick=False)
def test_a_site_gives_its_active_resources_hours_and_coming_closures(api: Client) -> None:
    site = SiteFactory(slug="murat")
    open_all_week(site, days=(0,))
    desk = ResourceFactory(site=site, kind="desk", name="Poste 1")
    room = ResourceFactory(site=site, kind="meeting_room", name="Salle", capacity=8)
    ResourceFactory(site=site, name="Poste 2", is_active=False)
    ClosureFactory(site=site, start_date=dt.date(2027, 2, 1), end_date=dt.date(2027, 2, 5))
    ClosureFactory(
        site=site,
        start_date=dt.date(2027, 3, 1),
        end_date=dt.date(2027, 3, 3),
        reason="works",
        note_fr="Travaux",
        note_en="Works on the roof",
    )

    status, body = get(api, "/sites/murat")

    assert status == 200
    assert isinstance(body, dict)
    assert body["slug"] == "murat"
    assert body["latitude"] == 45.110573
    assert body["resources"] == [
        {
            "id": desk.pk,
            "name": "Poste 1",
            "kind": "desk",
            "capacity": 1,
            "booking_unit": "half_day",
        },
        {
            "id": room.pk,
            "name": "Salle",
            "kind": "meeting_room",
            "capacity": 8,
            "booking_unit": "hour",
        },
    ]
    assert body["opening_hours"] == [
        {"weekday": 0, "half_day": "am", "opens": "08:30:00", "closes": "12:30:00"},
        {"weekday": 0, "half_day": "pm", "opens": "13:30:00", "closes": "18:00:00"},
    ]
    assert body["closures"] == [
        {
            "start_date": "2027-03-01",
            "end_date": "2027-03-03",
            "reason": "works",
            "note_fr": "Travaux",
            "note_en": "Works on the roof",
        }
    ]


@pytest.mark.parametrize("resources", [1, 20])
def test_a_site_takes_the_same_queries_whatever_its_number_of_resources(
    api: Client, resources: int
) -> None:
    site = SiteFactory(slug="murat")
    open_all_week(site)
    ResourceFactory.create_batch(resources, site=site)
    with CaptureQueriesContext(connection) as queries:
        status, _ = get(api, "/sites/murat")
    assert status == 200
    # The site with its network and parent, its hours, its resources, its closures.
    assert len(queries) == 4, [q["sql"] for q in queries]


def test_an_unknown_site_is_a_json_404_in_the_clients_language(api: Client) -> None:
    english = api.get("/api/v1/sites/nowhere", secure=True, HTTP_ACCEPT_LANGUAGE="en")
    french = api.get("/api/v1/sites/nowhere", secure=True, HTTP_ACCEPT_LANGUAGE="fr")
    assert (english.status_code, french.status_code) == (404, 404)
    assert english.json() == {"detail": "No published site has this short name."}
    assert french.json()["detail"] != english.json()["detail"]


def test_an_unpublished_site_is_a_json_404(api: Client) -> None:
    SiteFactory(slug="cache", is_published=False)
    assert get(api, "/sites/cache")[0] == 404


def test_the_openapi_schema_lists_both_paths(api: Client) -> None:
    status, schema = get(api, "/openapi.json")
    assert status == 200
    assert isinstance(schema, dict)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/sites", "/api/v1/sites/{slug}"} <= set(schema["paths"])
    site_list = schema["paths"]["/api/v1/sites"]["get"]
    assert "200" in site_list["responses"]
    detail = schema["paths"]["/api/v1/sites/{slug}"]["get"]
    assert {"200", "404"} <= set(detail["responses"])
    site_out = schema["components"]["schemas"]["SiteOut"]["properties"]
    assert site_out["latitude"]["type"] == "number"
