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
from buron.offers.selectors import offers_for_site_page, prices_ahead
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


def price(site, period, member=None, kind="desk"):
    """The pay-as-you-go price incl. VAT a booking there would show, or None."""
    ahead = prices_ahead(
        member=member,
        sites=[(site.pk, site.network_id)],
        day=DAY,
        period=period,
        resource_kind=kind,
    ).get(site.pk)
    if ahead is None or ahead.price is None:
        return None
    return ahead.price.incl_vat


def test_the_price_of_a_booking_is_the_cheapest_pass_of_its_period(murat):
    OfferFactory(network=murat.network, kind="half_day_pass", net_price=Decimal("8.33"))
    OfferFactory(network=murat.network, kind="day_pass", net_price=Decimal("16.67"))
    OfferFactory(network=murat.network, kind="day_pass", net_price=Decimal("15.00"))
    assert price(murat, "am") == Decimal("10.00")
    assert price(murat, "day") == Decimal("18.00")
    assert price(murat, "am", kind="meeting_room") is None
    assert price(murat, "week") is None


def test_a_reduced_price_applies_once_the_member_s_proof_is_validated(murat):
    OfferFactory(network=murat.network, kind="day_pass", net_price=Decimal("16.67"))
    OfferFactory(
        network=murat.network, kind="day_pass", net_price=Decimal("8.33"), category="job_seeker"
    )
    member = UserFactory(email="seeker@example.org")
    assert price(murat, "day", member) == Decimal("20.00")
    proof = services.proof_submit(member=member, site=murat, category="job_seeker")
    services.proof_decide(proof=proof, by=StaffRoleFactory(site=murat).user, validated=True)
    assert price(murat, "day", member) == Decimal("10.00")
    assert price(murat, "day") == Decimal("20.00")
    # The booking's coverage charges what was shown: one definition of the pass that applies.
    for who, expected in ((member, Decimal("10.00")), (UserFactory(), Decimal("20.00"))):
        coverage = services.coverage_for_booking(
            member=who,
            network_id=murat.network_id,
            site_id=murat.pk,
            booking_id=who.pk + 1000,
            day=DAY,
            period="day",
            resource_kind="desk",
        )
        assert coverage is not None and coverage.amount_incl_vat == expected
