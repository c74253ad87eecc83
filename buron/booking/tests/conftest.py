from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import translation

from buron.accounts.models import User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.places.models import Network, Resource, Site
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


def murat() -> Site:
    """Murat, open all week, with two desks and a meeting room booked by the hour."""
    network = NetworkFactory(slug="cantal-test")
    site = SiteFactory(network=network, slug="murat", name="Télécentre de Murat")
    open_all_week(site)
    for n in (1, 2):
        ResourceFactory(site=site, name=f"Poste {n}")
    ResourceFactory(site=site, kind="meeting_room", name="Salle", capacity=8, booking_unit="hour")
    return site


@pytest.fixture
def site(db: None) -> Site:
    return murat()


def allanche(network: Network) -> Site:
    """Allanche, another site of the network, open all week, with one desk."""
    other = SiteFactory(
        network=network,
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
def other_site(site: Site) -> Site:
    return allanche(site.network)


@pytest.fixture
def member(db: None):
    return UserFactory(email="camille@example.org")


@pytest.fixture
def member2(db: None):
    return UserFactory(email="dominique@example.org")


def desks(site: Site) -> list[Resource]:
    """The site's desks, by name."""
    return list(Resource.objects.filter(site=site, kind="desk").order_by("name"))


@pytest.fixture
def frozen() -> Iterator[None]:
    """The clock stands at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def host(site: Site) -> User:
    """The host of the test site."""
    return StaffRoleFactory(site=site, user__email="host.murat@example.org").user
