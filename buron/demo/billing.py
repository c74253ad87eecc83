"""The demo network's invoices: an invented seller identity for the Cantal network, an
invented Cantal employer (its contract and monthly invoices: buron.demo.employers), a
member's sale and its payment. Every name
and number here is made up (the identifiers only pass their check digits)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from buron.accounts.models import Organisation, User
from buron.billing.document import LineInput
from buron.billing.models import Invoice, Seller
from buron.billing.services import invoice_issue, payment_record
from buron.places.models import Network

SELLER = {
    "legal_name": "Cantal Télétravail – réseau de démonstration",
    "legal_form": "Établissement public (démo)",
    "siren": "200012342",
    "siret": "20001234200016",
    "vat_number": "FR82200012342",
    "registration": "Données inventées pour la démonstration",
    "address_lines": "1 place de la Démonstration",
    "postcode": "15000",
    "city": "Aurillac",
    "country": "FR",
    "email": "factures@buron.example",
    "iban": "FR7630001007941234567890185",
    "bic": "BDFEFRPPXXX",
    "training_declaration_number": "83150000115",
    "number_prefix": "CANTAL",
}
EMPLOYER = {
    "legal_name": "Laiterie des Estives (entreprise inventée)",
    "siren": "400123451",
    "siret": "40012345100017",
    "vat_number": "FR21400123451",
    "address_lines": "12 route des Burons",
    "postcode": "15300",
    "city": "Murat",
    "country": "FR",
}

DAY_PRICE = Decimal("16.67")  # 20 € incl. VAT a day, as published for Murat
HALF_DAY_PRICE = Decimal("8.33")
VAT = Decimal("20")


def _month_start(today: dt.date, months_back: int) -> dt.date:
    month = today.month - months_back
    year = today.year
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def demo_billing_load(*, network: Network, member: User, manager: User, today: dt.date) -> int:
    """Load the demo's invoices once (a later load adds nothing); returns how many exist.
    PDFs are rendered on first download."""
    seller, _ = Seller.objects.get_or_create(network=network, defaults=SELLER)
    employer, _ = Organisation.objects.get_or_create(
        network=network, siren=EMPLOYER["siren"], defaults=EMPLOYER
    )
    employer.managers.add(manager)
    if Invoice.objects.filter(seller=seller).exists():
        return Invoice.objects.filter(seller=seller).count()
    start = _month_start(today, 1)
    sale = invoice_issue(
        seller=seller,
        customer_user=member,
        lines=[
            LineInput(
                description="Carnet de 10 demi-journées",
                quantity=Decimal(1),
                unit_price=Decimal("75.00"),
                vat_rate=VAT,
                service_start=start,
                service_end=start,
            ),
            LineInput(
                description="Atelier « bien télétravailler » (formation)",
                quantity=Decimal(1),
                unit_price=Decimal("40.00"),
                vat_rate=Decimal("0"),
                vat_exemption_code="VATEX-EU-132-1I",
                vat_exemption_reason="Exonération de TVA, article 261-4-4° a du CGI",
                service_start=start,
                service_end=start,
            ),
        ],
        issued_on=start + dt.timedelta(days=2),
        render=False,
    )
    payment_record(
        invoice=sale,
        amount=Decimal("50.00"),
        method="desk",
        paid_on=start + dt.timedelta(days=2),
    )
    return Invoice.objects.filter(seller=seller).count()
