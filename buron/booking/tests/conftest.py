from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from buron.accounts.tests.factories import UserFactory
from buron.places.models import Site
from buron.places.tests.factories import NetworkFactory, ResourceFactory, SiteFactory, open_all_week

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# A plain Tuesday, far from public holidays; tests run "now" a week before it.
DAY = dt.date(2027, 3, 2)
NOW = dt.datetime(2027, 2, 23, 9, 0, tzinfo=PARIS)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def site(db: None) -> Site:
    network = NetworkFactory(slug="cantal-test")
    site = SiteFactory(network=network, slug="murat", name="Télécentre de Murat")
    open_all_week(site)
    for n in (1, 2):
        ResourceFactory(site=site, name=f"Poste {n}")
    ResourceFactory(site=site, kind="meeting_room", name="Salle", capacity=8, booking_unit="hour")
    return site


@pytest.fixture
def other_site(site: Site) -> Site:
    other = SiteFactory(
        network=site.network,
        slug="allanche",
        name="Télécentre d'Allanche",
        commune_name="Allanche",
        insee_code="15001",
        postal_code="15160",
        latitude="45.228979",
        longitude="2.934496",
    )
    open_all_week(other)
    ResourceFactory(site=other, name="Poste A")
    return other


@pytest.fixture
def member(db: None):
    return UserFactory(email="camille@example.org")


@pytest.fixture
def member2(db: None):
    return UserFactory(email="dominique@example.org")
