from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from buron.places.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def test_the_sitemap_lists_published_sites_and_pages_in_both_languages(client: Client) -> None:
    SiteFactory(slug="murat")
    SiteFactory(slug="cache", is_published=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap
    locations = {loc.text for loc in root.findall("s:url/s:loc", NS)}
    assert {
        "http://testserver/sites/murat/",
        "http://testserver/en/sites/murat/",
        "http://testserver/",
        "http://testserver/en/",
        "http://testserver/accessibilite/",
        "http://testserver/en/accessibilite/",
        "http://testserver/mentions-legales/",
        "http://testserver/en/mentions-legales/",
    } <= locations
    assert not [loc for loc in locations if "cache" in loc]
    alternates = {
        (link.get("hreflang"), link.get("href")) for link in root.findall("s:url/x:link", NS)
    }
    assert ("en", "http://testserver/en/sites/murat/") in alternates
    assert ("fr", "http://testserver/sites/murat/") in alternates


def test_every_sitemap_location_answers(client: Client) -> None:
    SiteFactory(slug="murat")
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    for loc in root.findall("s:url/s:loc", NS):
        path = loc.text.removeprefix("http://testserver")
        assert client.get(path).status_code == 200, path
