"""The number of SQL queries of a page does not grow with the number of sites or resources."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from buron.offers.tests.factories import OfferFactory
from buron.places.models import Amenity, Resource, Site
from buron.places.tests.factories import (
    ClosureFactory,
    NetworkFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

pytestmark = pytest.mark.django_db


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def add_sites(network: object, count: int, start: int) -> None:
    sites = Site.objects.bulk_create(
        SiteFactory.build(network=network, name=f"Site {start + n}", slug=f"site-{start + n}")
        for n in range(count)
    )
    Resource.objects.bulk_create(
        ResourceFactory.build(site=site, network=network, name=f"Poste {n}")
        for site in sites
        for n in range(2)
    )


def test_the_home_page_queries_do_not_grow_with_the_sites(client: Client) -> None:
    network = NetworkFactory(is_demo=True)
    OfferFactory(network=network, kind="day_pass", net_price=Decimal("16.67"))
    add_sites(network, 12, 0)
    with_12 = count_queries(client, "/")
    add_sites(network, 288, 12)
    assert Site.objects.count() == 300
    with_300 = count_queries(client, "/")
    assert with_300 == with_12
    assert count_queries(client, "/en/") == with_12


def fill_site(site: Site, resources: int) -> None:
    open_all_week(site)
    ClosureFactory(site=site)
    site.amenities.add(*Amenity.objects.all())
    kinds = ["desk", "meeting_room", "visio_room", "private_office"]
    for n in range(resources):
        kind = kinds[n % 4]
        ResourceFactory(
            site=site,
            kind=kind,
            name=f"R {n}",
            capacity=1 if kind == "desk" else 4,
            booking_unit="half_day" if kind in {"desk", "private_office"} else "hour",
        )
    OfferFactory(network=site.network, kind="day_pass").sites.add(site)


def test_the_site_page_queries_do_not_grow_with_the_resources(client: Client) -> None:
    for code in ("wifi", "printer", "coffee"):
        Amenity.objects.create(code=code, name_fr=code, name_en=code)
    network = NetworkFactory()
    small = SiteFactory(network=network, slug="small")
    big = SiteFactory(network=network, slug="big")
    SiteFactory(network=network, kind="annex", parent=big, slug="big-annex")
    SiteFactory(network=network, kind="annex", parent=small, slug="small-annex")
    fill_site(small, 3)
    fill_site(big, 40)
    assert small.resources.count() == 3
    assert big.resources.count() == 40
    assert count_queries(client, "/sites/small/") == count_queries(client, "/sites/big/")
