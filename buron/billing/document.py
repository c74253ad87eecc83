"""An invoice as a plain document: its parties, lines, VAT breakdown and totals, computed
the way EN 16931 asks. The business rules, the CII XML and the PDF all read this one shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from buron.core.money import line_amount, money, vat_amount

INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
# VAT categories Buron produces: standard rate, exempt with a reason, and not subject to
# VAT (outside its scope, exemption code VATEX-EU-O).
STANDARD = "S"
EXEMPT = "E"
NOT_SUBJECT = "O"
NOT_SUBJECT_CODE = "VATEX-EU-O"


@dataclass(frozen=True)
class Party:
    """A seller, a buyer or a delivery place."""

    name: str
    address_lines: tuple[str, ...] = ()
    postcode: str = ""
    city: str = ""
    country: str = "FR"
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    email: str = ""


@dataclass(frozen=True)
class LineInput:
    """A line given to the issuing service, by a sale, a contract or a person."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    service_start: dt.date | None = None
    service_end: dt.date | None = None
    vat_exemption_code: str = ""
    vat_exemption_reason: str = ""


@dataclass(frozen=True)
class Line:
    """A line as it appears on the document, with its net amount rounded once."""

    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    net_amount: Decimal
    category: str
    service_start: dt.date | None = None
    service_end: dt.date | None = None
    vat_exemption_code: str = ""
    vat_exemption_reason: str = ""


@dataclass(frozen=True)
class VatBreakdown:
    """One VAT category and rate: its taxable amount and its VAT."""

    category: str
    rate: Decimal
    basis: Decimal
    amount: Decimal
    exemption_code: str = ""
    exemption_reason: str = ""


@dataclass(frozen=True)
class Document:
    """Everything printed on an invoice or credit note and written in its XML."""

    number: str
    type_code: str
    issued_on: dt.date
    due_on: dt.date | None
    seller: Party
    buyer: Party
    buyer_is_business: bool
    lines: tuple[Line, ...]
    breakdown: tuple[VatBreakdown, ...]
    line_total: Decimal
    tax_basis_total: Decimal
    tax_total: Decimal
    grand_total: Decimal
    due_amount: Decimal
    vat_on_debits: bool
    delivery: Party | None = None
    preceding_number: str = ""
    preceding_issued_on: dt.date | None = None
    seller_legal_form: str = ""
    seller_registration: str = ""
    seller_training_number: str = ""
    iban: str = ""
    bic: str = ""
    late_penalty_rate: Decimal = Decimal("0")
    notes: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def category_of(rate: Decimal, exemption_code: str = "") -> str:
    """A positive rate is the standard category (S); a zero rate is an exemption (E), or
    not subject to VAT (O) when its exemption code says so (VATEX-EU-O)."""
    if Decimal(rate) > 0:
        return STANDARD
    return NOT_SUBJECT if exemption_code.strip().upper() == NOT_SUBJECT_CODE else EXEMPT


def lines_from(inputs: Sequence[LineInput]) -> tuple[Line, ...]:
    """Number the lines and round each net amount once (the one helper in core.money)."""
    return tuple(
        Line(
            position=index,
            description=item.description,
            quantity=Decimal(item.quantity),
            unit_price=Decimal(item.unit_price),
            vat_rate=Decimal(item.vat_rate),
            net_amount=line_amount(quantity=item.quantity, unit_price=item.unit_price),
            category=category_of(item.vat_rate, item.vat_exemption_code),
            service_start=item.service_start,
            service_end=item.service_end,
            vat_exemption_code=item.vat_exemption_code,
            vat_exemption_reason=item.vat_exemption_reason,
        )
        for index, item in enumerate(inputs, start=1)
    )


def breakdown_of(lines: Sequence[Line]) -> tuple[VatBreakdown, ...]:
    """VAT per category and rate: the sum of that rate's line amounts, then the rate applied
    once to that sum (EN 16931 BR-S-08, BR-S-09, BR-E-08)."""
    groups: dict[tuple[str, Decimal], list[Line]] = {}
    for line in lines:
        groups.setdefault((line.category, money(line.vat_rate)), []).append(line)
    result = []
    for (category, rate), members in sorted(groups.items(), key=lambda g: (-g[0][1], g[0][0])):
        basis = money(sum((m.net_amount for m in members), Decimal("0")))
        first_reason = next((m for m in members if m.vat_exemption_code), members[0])
        result.append(
            VatBreakdown(
                category=category,
                rate=rate,
                basis=basis,
                amount=vat_amount(basis=basis, rate=rate) if category == STANDARD else money(0),
                exemption_code=first_reason.vat_exemption_code if category != STANDARD else "",
                exemption_reason=first_reason.vat_exemption_reason if category != STANDARD else "",
            )
        )
    return tuple(result)


def totals_of(
    lines: Sequence[Line], breakdown: Sequence[VatBreakdown]
) -> tuple[Decimal, Decimal, Decimal]:
    """Total excl. VAT (the sum of the lines), total VAT (the sum per rate), total incl. VAT."""
    net = money(sum((line.net_amount for line in lines), Decimal("0")))
    vat = money(sum((b.amount for b in breakdown), Decimal("0")))
    return net, vat, net + vat
