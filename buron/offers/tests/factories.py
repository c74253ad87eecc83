from __future__ import annotations

from decimal import Decimal

import factory

from buron.offers.models import Offer, OfferKind
from buron.places.tests.factories import NetworkFactory


class OfferFactory(factory.django.DjangoModelFactory):
    """A network's offer: a half-day pass at 8.33 € excl. VAT (10 € incl. 20 % VAT) unless
    told otherwise."""

    class Meta:
        model = Offer

    network = factory.SubFactory(NetworkFactory)
    kind = OfferKind.HALF_DAY_PASS
    name_fr = factory.Sequence(lambda n: f"Offre {n}")
    name_en = factory.Sequence(lambda n: f"Offer {n}")
    net_price = Decimal("8.33")
    vat_rate = Decimal("20.00")


def carnet(network: object, *, credits: int = 10, days: int = 180, **kwargs: object) -> Offer:
    """A carnet of that many credits, valid that many days."""
    return OfferFactory(
        network=network,
        kind=OfferKind.CARNET,
        credits=credits,
        validity_days=days,
        **{"net_price": Decimal("75.00"), **kwargs},
    )


def subscription(network: object, *, days_per_week: int | None = 2, **kwargs: object) -> Offer:
    """A subscription by the month, days_per_week days a week (None: unlimited)."""
    return OfferFactory(
        network=network,
        kind=OfferKind.SUBSCRIPTION,
        days_per_week=days_per_week,
        validity_months=1,
        **{"net_price": Decimal("83.33"), **kwargs},
    )


def welcome_pack(network: object, *, months: int = 3, **kwargs: object) -> Offer:
    """The newcomer welcome pack: desk time free for its first months."""
    return OfferFactory(
        network=network,
        kind=OfferKind.WELCOME_PACK,
        validity_months=months,
        net_price=Decimal("0"),
        vat_rate=Decimal("0"),
        vat_exemption_reason="Offert",
        vat_exemption_code="VATEX-EU-O",
        **kwargs,
    )
