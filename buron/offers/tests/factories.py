from __future__ import annotations

from decimal import Decimal

import factory

from buron.offers.models import Price
from buron.places.tests.factories import NetworkFactory


class PriceFactory(factory.django.DjangoModelFactory):
    """A network-wide price for desks; pass site= for one site's own price."""

    class Meta:
        model = Price

    network = factory.SubFactory(NetworkFactory)
    site = None
    resource_kind = "desk"
    unit = "half_day"
    amount = Decimal("10.00")
