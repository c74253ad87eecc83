"""Sellers and organisations with valid (invented) identifiers, for the billing tests."""

from __future__ import annotations

from decimal import Decimal

from buron.accounts.models import Organisation
from buron.billing.document import LineInput
from buron.billing.models import Seller
from buron.places.models import Network

SELLER_SIREN = "200012342"
SELLER_SIRET = "20001234200016"
SELLER_VAT = "FR82200012342"
ORG_SIREN = "400123451"
ORG_SIRET = "40012345100017"
ORG_VAT = "FR21400123451"
OTHER_SIREN = "850123456"
OTHER_VAT = "FR14850123456"

TRAINING_EXEMPTION = "Exonération de TVA, article 261-4-4° a du CGI"


def make_seller(network: Network, *, prefix: str = "CANTAL", **extra: object) -> Seller:
    fields: dict[str, object] = {
        "legal_name": "Cantal Attractivité (démo)",
        "legal_form": "Établissement public administratif",
        "siren": SELLER_SIREN,
        "siret": SELLER_SIRET,
        "vat_number": SELLER_VAT,
        "registration": "",
        "address_lines": "28 avenue Gambetta",
        "postcode": "15000",
        "city": "Aurillac",
        "email": "factures@example.org",
        "iban": "FR7630001007941234567890185",
        "bic": "BDFEFRPPXXX",
        "training_declaration_number": "83150000115",
        "number_prefix": prefix,
    }
    fields.update(extra)
    return Seller.objects.create(network=network, **fields)


def make_organisation(network: Network, **extra: object) -> Organisation:
    fields: dict[str, object] = {
        "legal_name": "Fromageries du Plomb (démo)",
        "siren": ORG_SIREN,
        "siret": ORG_SIRET,
        "vat_number": ORG_VAT,
        "address_lines": "3 route de Salers",
        "postcode": "15200",
        "city": "Mauriac",
    }
    fields.update(extra)
    return Organisation.objects.create(network=network, **fields)


def desk_day(quantity: str = "2", price: str = "16.67", rate: str = "20") -> LineInput:
    return LineInput(
        description="Journée de poste de travail",
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        vat_rate=Decimal(rate),
    )


def training_day() -> LineInput:
    return LineInput(
        description="Formation au télétravail",
        quantity=Decimal("1"),
        unit_price=Decimal("150.00"),
        vat_rate=Decimal("0"),
        vat_exemption_code="VATEX-EU-132-1I",
        vat_exemption_reason=TRAINING_EXEMPTION,
    )
