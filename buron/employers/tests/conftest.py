from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine

from buron.accounts.models import Organisation, User
from buron.accounts.tests.factories import UserFactory
from buron.billing.tests.factories import OTHER_SIREN, OTHER_VAT, make_organisation, make_seller
from buron.booking.tests.conftest import allanche
from buron.employers.models import EmployerContract, Employment
from buron.offers.tests.factories import OfferFactory
from buron.places.models import Site
from buron.places.tests.factories import NetworkFactory, ResourceFactory, SiteFactory, open_all_week

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A plain Tuesday, far from public holidays; tests run "now" a week before it.
DAY = dt.date(2027, 3, 2)
NOW = dt.datetime(2027, 2, 23, 9, 0, tzinfo=PARIS)


@pytest.fixture
def site(db: None) -> Site:
    network = NetworkFactory(slug="cantal-test")
    site = SiteFactory(network=network, slug="murat", name="Télécentre de Murat")
    open_all_week(site)
    for n in (1, 2, 3):
        ResourceFactory(site=site, name=f"Poste {n}")
    ResourceFactory(site=site, kind="meeting_room", name="Salle", capacity=8, booking_unit="hour")
    return site


@pytest.fixture
def other_site(site: Site) -> Site:
    return allanche(site.network)


@pytest.fixture
def seller(site: Site):
    return make_seller(site.network)


@pytest.fixture
def employer(site: Site) -> Organisation:
    return make_organisation(site.network, legal_name="Laiterie des Estives")


@pytest.fixture
def other_employer(site: Site) -> Organisation:
    return make_organisation(
        site.network,
        legal_name="Scierie du Lioran",
        siren=OTHER_SIREN,
        siret="",
        vat_number=OTHER_VAT,
    )


def make_contract(organisation: Organisation, *, sites: list[Site] | None = None, **extra: object):
    fields: dict[str, object] = {
        "network_id": organisation.network_id,
        "organisation": organisation,
        "days_per_month": Decimal("4"),
        "half_day_price": Decimal("8.33"),
        "day_price": Decimal("16.67"),
        "vat_rate": Decimal("20"),
        "starts_on": dt.date(2027, 1, 1),
    }
    fields.update(extra)
    contract = EmployerContract.objects.create(**fields)
    if sites:
        contract.sites.set(sites)
    return contract


@pytest.fixture
def contract(employer: Organisation, site: Site) -> EmployerContract:
    return make_contract(employer, sites=[site])


def employee_of(organisation: Organisation, email: str, **names: str) -> User:
    user = UserFactory(
        email=email,
        profile__status="salaried_remote",
        profile__employer_name=organisation.legal_name,
        **names,
    )
    Employment.objects.create(organisation=organisation, member=user)
    return user


@pytest.fixture
def employee(employer: Organisation) -> User:
    return employee_of(employer, "salome@example.org", first_name="Salomé", last_name="Vidal")


@pytest.fixture
def frozen() -> Iterator[None]:
    """The clock stands at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def passes(site: Site) -> None:
    """The network sells half-day and day passes (what a member who pays themselves pays)."""
    OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("8.33"))
    OfferFactory(network=site.network, kind="day_pass", net_price=Decimal("16.67"))
