from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from buron.accounts.models import MemberProfile
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking.models import Booking
from buron.booking.services import booking_create_half_day
from buron.places.models import Commune, Site
from buron.places.tests.factories import (
    CommuneFactory,
    NetworkFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# A plain Tuesday, far from public holidays; bookings are made a week before.
DAY = dt.date(2027, 3, 2)
BEFORE = dt.datetime(2027, 2, 23, 9, 0, tzinfo=PARIS)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


# Official coordinates (buron/places/data/communes.csv).
def allanche() -> Commune:
    return CommuneFactory(
        insee_code="15001",
        name="Allanche",
        postal_code="15160",
        latitude=Decimal("45.228979"),
        longitude=Decimal("2.934496"),
    )


def aurillac() -> Commune:
    return CommuneFactory(
        insee_code="15014",
        name="Aurillac",
        postal_code="15000",
        latitude=Decimal("44.930317"),
        longitude=Decimal("2.444953"),
    )


@pytest.fixture
def site(db: None) -> Site:
    """Murat, in a network of its own, with one desk."""
    network = NetworkFactory(slug="cantal-test")
    site = SiteFactory(network=network, slug="murat", name="Télécentre de Murat")
    open_all_week(site)
    ResourceFactory(site=site, name="Poste 1")
    return site


@pytest.fixture
def other_site(site: Site) -> Site:
    """Another site of the same network."""
    other = SiteFactory(network=site.network, slug="allanche", name="Télécentre d'Allanche")
    open_all_week(other)
    ResourceFactory(site=other, name="Poste A")
    return other


@pytest.fixture
def foreign_site(db: None) -> Site:
    """A site of another network."""
    other = SiteFactory(network=NetworkFactory(slug="lozere"), slug="mende", name="Mende")
    open_all_week(other)
    ResourceFactory(site=other, name="Poste M")
    return other


@pytest.fixture
def host(site: Site):
    return StaffRoleFactory(site=site, user__email="host.murat@example.org").user


@pytest.fixture
def member(db: None):
    """Lives in Allanche, works in Aurillac; a freelancer since 2020."""
    user = UserFactory(email="camille@example.org")
    MemberProfile.objects.filter(user=user).update(commune=allanche(), work_commune=aurillac())
    return user


@pytest.fixture
def member2(db: None):
    return UserFactory(email="dominique@example.org")


def book(member, site: Site, period: str = "day") -> Booking:
    import time_machine

    with time_machine.travel(BEFORE, tick=False):
        return booking_create_half_day(member=member, site=site, day=DAY, period=period)
