from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from buron.offers.models import Price
from buron.offers.selectors import prices_by_site, prices_for_site
from buron.offers.tests.factories import PriceFactory
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_a_free_price_passes() -> None:
    PriceFactory.build(network=NetworkFactory(), amount=Decimal("0")).full_clean()


def test_it_rejects_a_negative_price() -> None:
    price = PriceFactory.build(network=NetworkFactory(), amount=Decimal("-0.01"))
    with pytest.raises(ValidationError) as caught:
        price.full_clean()
    (error,) = caught.value.error_dict["amount"]
    assert error.code == "min_value"
    with override("en"):
        assert caught.value.message_dict == {"amount": ["A price cannot be negative."]}


def test_the_database_rejects_a_negative_price() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Price.objects.create(network=NetworkFactory(), unit="day", amount=Decimal("-1"))


def test_it_rejects_a_price_for_a_site_of_another_network() -> None:
    site = SiteFactory(network=NetworkFactory(slug="lozere"))
    price = PriceFactory.build(network=NetworkFactory(slug="cantal"), site=site)
    with pytest.raises(ValidationError) as caught:
        price.full_clean()
    assert caught.value.error_dict["site"][0].code == "site_in_other_network"
    with override("en"):
        assert caught.value.message_dict == {
            "site": ["This site belongs to another network than the price."]
        }


def test_a_price_for_a_site_of_its_network_passes() -> None:
    site = SiteFactory()
    PriceFactory.build(network=site.network, site=site).full_clean()


def test_a_site_own_prices_replace_the_network_ones_for_the_same_kind() -> None:
    murat = SiteFactory()
    aurillac = SiteFactory(network=murat.network)
    network_desk = PriceFactory(network=murat.network, amount=Decimal("10"), position=1)
    network_room = PriceFactory(
        network=murat.network, resource_kind="meeting_room", unit="hour", amount=Decimal("15")
    )
    murat_desk = PriceFactory(network=murat.network, site=murat, amount=Decimal("8"), position=0)
    PriceFactory(network=NetworkFactory(), amount=Decimal("99"))  # another network's

    assert prices_for_site(murat) == [murat_desk, network_room]
    assert prices_for_site(aurillac) == [network_room, network_desk]


@pytest.mark.parametrize("count", [3, 30])
def test_prices_of_many_sites_take_one_query(count: int) -> None:
    network = NetworkFactory()
    sites = SiteFactory.create_batch(count, network=network)
    PriceFactory(network=network)
    with CaptureQueriesContext(connection) as queries:
        result = prices_by_site(sites)
    assert len(queries) == 1
    assert all(len(prices) == 1 for prices in result.values())
