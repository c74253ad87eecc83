"""Published prices come from the catalogue: the offers on sale at a site (its page), and
the price of one booking for a member (the selector the booking path reads)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.offers import services
from buron.offers.selectors import offers_for_site_page, price_for_booking
from buron.offers.tests.factories import OfferFactory
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 3, 2)


@pytest.fixture
def murat():
    return SiteFactory(network=NetworkFactory(slug="cantal"), slug="murat")


def test_a_site_page_lists_the_offers_on_sale_there_with_both_prices(murat):
    day = OfferFactory(network=murat.network, kind="day_pass", net_price=Decimal("16.67"))
    here = OfferFactory(network=murat.network, kind="half_day_pass", net_price=Decimal("8.33"))
    here.sites.add(murat)
    elsewhere = OfferFactory(network=murat.network, kind="half_day_pass")
    elsewhere.sites.add(SiteFactory(network=murat.network))
    OfferFactory(network=murat.network, kind="carnet", credits=5, is_active=False)
    OfferFactory(network=murat.network, kind="carnet", credits=5, valid_until=DAY - dt.timedelta(1))
    OfferFactory(kind="day_pass")  # another network's
    shown = offers_for_site_page(site=murat, day=DAY)
    assert [o.pk for o, _p in shown] == [here.pk, day.pk]
    assert [(p.excl_vat, p.incl_vat) for _o, p in shown] == [
        (Decimal("8.33"), Decimal("10.00")),
        (Decimal("16.67"), Decimal("20.00")),
    ]


def test_the_site_page_reads_the_offers_in_two_statements(murat):
    for _n in range(12):
        OfferFactory(network=murat.network, kind="day_pass").sites.add(murat)
    with CaptureQueriesContext(connection) as queries:
        offers_for_site_page(site=murat, day=DAY)
    assert len(queries) == 2


def test_the_price_of_a_booking_is_the_cheapest_pass_of_its_period(murat):
    OfferFactory(network=murat.network, kind="half_day_pass", net_price=Decimal("8.33"))
    OfferFactory(network=murat.network, kind="day_pass", net_price=Decimal("16.67"))
    OfferFactory(network=murat.network, kind="day_pass", net_price=Decimal("15.00"))
    am = price_for_booking(site=murat, resource_kind="desk", period="am", day=DAY)
    day = price_for_booking(site=murat, resource_kind="desk", period="day", day=DAY)
    assert am is not None and am.incl_vat == Decimal("10.00")
    assert day is not None and day.incl_vat == Decimal("18.00")
    assert price_for_booking(site=murat, resource_kind="meeting_room", period="am", day=DAY) is None
    assert price_for_booking(site=murat, resource_kind="desk", period="week", day=DAY) is None


def test_a_reduced_price_applies_once_the_member_s_proof_is_validated(murat):
    OfferFactory(network=murat.network, kind="day_pass", net_price=Decimal("16.67"))
    OfferFactory(
        network=murat.network, kind="day_pass", net_price=Decimal("8.33"), category="job_seeker"
    )
    member = UserFactory(email="seeker@example.org")
    price = price_for_booking(
        site=murat, resource_kind="desk", period="day", day=DAY, member=member
    )
    assert price is not None and price.incl_vat == Decimal("20.00")
    proof = services.proof_submit(member=member, site=murat, category="job_seeker")
    services.proof_decide(proof=proof, by=StaffRoleFactory(site=murat).user, validated=True)
    price = price_for_booking(
        site=murat, resource_kind="desk", period="day", day=DAY, member=member
    )
    assert price is not None and price.incl_vat == Decimal("10.00")
    anonymous = price_for_booking(site=murat, resource_kind="desk", period="day", day=DAY)
    assert anonymous is not None and anonymous.incl_vat == Decimal("20.00")
