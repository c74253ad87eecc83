"""The EN 16931 business rules that apply to what Buron issues, checked before issuing.

Each rule is one function over a Document returning the violations it finds; an invoice
with any violation is refused and stays a draft. The names are the standard's (BR-…); the
French rules (FR-…) are the mandatory mentions of French law that the standard leaves open.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from buron.core.money import money, vat_amount

from .document import CREDIT_NOTE_TYPE, EXEMPT, INVOICE_TYPE, NOT_SUBJECT, STANDARD, Document


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


Rule = Callable[[Document], list[Violation]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(check: Rule) -> Rule:
        RULES[code] = check
        return check

    return register


def _one(code: str, ok: bool, message: str) -> list[Violation]:
    return [] if ok else [Violation(code, message)]


def _sum(values: list[Decimal]) -> Decimal:
    return money(sum(values, Decimal("0")))


@rule("BR-02")
def br_02(doc: Document) -> list[Violation]:
    return _one("BR-02", bool(doc.number.strip()), _("An invoice has a number."))


@rule("BR-03")
def br_03(doc: Document) -> list[Violation]:
    return _one("BR-03", doc.issued_on is not None, _("An invoice has an issue date."))


@rule("BR-04")
def br_04(doc: Document) -> list[Violation]:
    return _one(
        "BR-04",
        doc.type_code in (INVOICE_TYPE, CREDIT_NOTE_TYPE),
        _("An invoice is of type 380 (invoice) or 381 (credit note)."),
    )


@rule("BR-06")
def br_06(doc: Document) -> list[Violation]:
    return _one("BR-06", bool(doc.seller.name.strip()), _("The seller's name is missing."))


@rule("BR-07")
def br_07(doc: Document) -> list[Violation]:
    return _one("BR-07", bool(doc.buyer.name.strip()), _("The customer's name is missing."))


@rule("BR-08")
def br_08(doc: Document) -> list[Violation]:
    seller = doc.seller
    complete = bool(seller.address_lines and seller.postcode and seller.city)
    return _one("BR-08", complete, _("The seller's postal address is incomplete."))


@rule("BR-09")
def br_09(doc: Document) -> list[Violation]:
    return _one(
        "BR-09",
        bool(re.fullmatch(r"[A-Z]{2}", doc.seller.country)),
        _("The seller's country code is missing."),
    )


@rule("BR-11")
def br_11(doc: Document) -> list[Violation]:
    return _one(
        "BR-11",
        bool(re.fullmatch(r"[A-Z]{2}", doc.buyer.country)),
        _("The customer's country code is missing."),
    )


@rule("BR-16")
def br_16(doc: Document) -> list[Violation]:
    return _one("BR-16", bool(doc.lines), _("An invoice has at least one line."))


@rule("BR-24")
def br_24(doc: Document) -> list[Violation]:
    wrong = [
        line.position
        for line in doc.lines
        if line.net_amount != money(line.quantity * line.unit_price)
    ]
    return _one("BR-24", not wrong, _("A line's net amount is its quantity times its unit price."))


@rule("BR-25")
def br_25(doc: Document) -> list[Violation]:
    return _one(
        "BR-25",
        all(line.description.strip() for line in doc.lines),
        _("Every line says what was sold."),
    )


@rule("BR-27")
def br_27(doc: Document) -> list[Violation]:
    return _one(
        "BR-27",
        all(line.unit_price >= 0 for line in doc.lines),
        _("A unit price is never negative (a refund is a credit note)."),
    )


@rule("BR-CO-10")
def br_co_10(doc: Document) -> list[Violation]:
    return _one(
        "BR-CO-10",
        doc.line_total == _sum([line.net_amount for line in doc.lines]),
        _("The total of the lines is the sum of the lines' net amounts."),
    )


@rule("BR-CO-13")
def br_co_13(doc: Document) -> list[Violation]:
    return _one(
        "BR-CO-13",
        doc.tax_basis_total == doc.line_total,
        _("The total excl. VAT is the total of the lines (Buron gives no document discount)."),
    )


@rule("BR-CO-14")
def br_co_14(doc: Document) -> list[Violation]:
    return _one(
        "BR-CO-14",
        doc.tax_total == _sum([b.amount for b in doc.breakdown]),
        _("The total VAT is the sum of the VAT of each rate."),
    )


@rule("BR-CO-15")
def br_co_15(doc: Document) -> list[Violation]:
    return _one(
        "BR-CO-15",
        doc.grand_total == doc.tax_basis_total + doc.tax_total,
        _("The total incl. VAT is the total excl. VAT plus the VAT."),
    )


@rule("BR-CO-16")
def br_co_16(doc: Document) -> list[Violation]:
    return _one(
        "BR-CO-16",
        doc.due_amount == doc.grand_total,
        _("The amount due at issue is the total incl. VAT."),
    )


@rule("BR-CO-18")
def br_co_18(doc: Document) -> list[Violation]:
    return _one("BR-CO-18", bool(doc.breakdown), _("An invoice has a VAT breakdown."))


@rule("BR-S-08")
def br_s_08(doc: Document) -> list[Violation]:
    found = []
    for b in doc.breakdown:
        if b.category != STANDARD:
            continue
        basis = _sum(
            [
                line.net_amount
                for line in doc.lines
                if line.category == STANDARD and money(line.vat_rate) == b.rate
            ]
        )
        if basis != b.basis or b.amount != vat_amount(basis=b.basis, rate=b.rate):
            found.append(
                Violation(
                    "BR-S-08",
                    _("The VAT at %(rate)s %% is not computed on the sum of its lines.")
                    % {"rate": b.rate},
                )
            )
    return found


@rule("BR-S-05")
def br_s_05(doc: Document) -> list[Violation]:
    return _one(
        "BR-S-05",
        all(line.vat_rate > 0 for line in doc.lines if line.category == STANDARD),
        _("A line at the standard VAT category has a rate above zero."),
    )


@rule("BR-E-05")
def br_e_05(doc: Document) -> list[Violation]:
    return _one(
        "BR-E-05",
        all(line.vat_rate == 0 for line in doc.lines if line.category == EXEMPT),
        _("An exempt line has a VAT rate of zero."),
    )


def _category_basis_matches(doc: Document, category: str) -> bool:
    """The VAT breakdown's basis for a category (E, O) is the sum of its lines (BR-E-08,
    BR-O-08); with no line of it, no basis either."""
    rows = [b for b in doc.breakdown if b.category == category]
    basis = _sum([line.net_amount for line in doc.lines if line.category == category])
    return _sum([b.basis for b in rows]) == basis and (bool(rows) or basis == 0)


def _category_carries_no_vat(doc: Document, category: str) -> bool:
    """No VAT in the breakdown of a category without tax (BR-E-09, BR-O-09)."""
    return all(b.amount == 0 for b in doc.breakdown if b.category == category)


@rule("BR-E-08")
def br_e_08(doc: Document) -> list[Violation]:
    if not any(b.category == EXEMPT for b in doc.breakdown):
        return _one(
            "BR-E-08",
            _category_basis_matches(doc, EXEMPT),
            _("Exempt lines need an exempt VAT breakdown."),
        )
    return _one(
        "BR-E-08",
        _category_basis_matches(doc, EXEMPT),
        _("The exempt amount is the sum of the exempt lines."),
    )


@rule("BR-E-09")
def br_e_09(doc: Document) -> list[Violation]:
    return _one(
        "BR-E-09",
        _category_carries_no_vat(doc, EXEMPT),
        _("Exempt lines carry no VAT."),
    )


@rule("BR-E-10")
def br_e_10(doc: Document) -> list[Violation]:
    return _one(
        "BR-E-10",
        all(
            (b.exemption_code or b.exemption_reason).strip()
            for b in doc.breakdown
            if b.category == EXEMPT
        )
        and all(
            (line.vat_exemption_code or line.vat_exemption_reason).strip()
            for line in doc.lines
            if line.category == EXEMPT
        ),
        _("A line at 0 % VAT says why it is exempt (a reason code or text)."),
    )


def _not_subject(doc: Document) -> bool:
    return any(line.category == NOT_SUBJECT for line in doc.lines)


@rule("BR-O-02")
def br_o_02(doc: Document) -> list[Violation]:
    return _one(
        "BR-O-02",
        not _not_subject(doc) or not (doc.seller.vat_number or doc.buyer.vat_number),
        _("An invoice not subject to VAT gives neither the seller's nor the buyer's VAT number."),
    )


@rule("BR-O-05")
def br_o_05(doc: Document) -> list[Violation]:
    return _one(
        "BR-O-05",
        all(line.vat_rate == 0 for line in doc.lines if line.category == NOT_SUBJECT),
        _("A line not subject to VAT has no VAT rate."),
    )


@rule("BR-O-08")
def br_o_08(doc: Document) -> list[Violation]:
    return _one(
        "BR-O-08",
        _category_basis_matches(doc, NOT_SUBJECT),
        _("The amount not subject to VAT is the sum of its lines."),
    )


@rule("BR-O-09")
def br_o_09(doc: Document) -> list[Violation]:
    return _one(
        "BR-O-09",
        _category_carries_no_vat(doc, NOT_SUBJECT),
        _("What is not subject to VAT carries no VAT."),
    )


@rule("BR-O-10")
def br_o_10(doc: Document) -> list[Violation]:
    return _one(
        "BR-O-10",
        all(
            (b.exemption_code or b.exemption_reason).strip()
            for b in doc.breakdown
            if b.category == NOT_SUBJECT
        ),
        _("What is not subject to VAT says why (a reason code or text)."),
    )


@rule("BR-O-11")
def br_o_11(doc: Document) -> list[Violation]:
    categories = {line.category for line in doc.lines} | {b.category for b in doc.breakdown}
    return _one(
        "BR-O-11",
        NOT_SUBJECT not in categories or categories == {NOT_SUBJECT},
        _(
            "An invoice with lines not subject to VAT has no other VAT category: "
            "invoice them apart."
        ),
    )


@rule("BR-S-02")
def br_s_02(doc: Document) -> list[Violation]:
    has_standard = any(line.category == STANDARD for line in doc.lines)
    return _one(
        "BR-S-02",
        not has_standard or bool(doc.seller.vat_number),
        _("A seller charging VAT gives its VAT number."),
    )


@rule("BR-55")
def br_55(doc: Document) -> list[Violation]:
    return _one(
        "BR-55",
        doc.type_code != CREDIT_NOTE_TYPE or bool(doc.preceding_number),
        _("A credit note refers to the invoice it corrects."),
    )


@rule("FR-SIREN")
def fr_siren(doc: Document) -> list[Violation]:
    return _one(
        "FR-SIREN",
        bool(doc.seller.siren) and (not doc.buyer_is_business or bool(doc.buyer.siren)),
        _("The seller's SIREN, and a business customer's SIREN, are on the invoice."),
    )


@rule("FR-ADDRESS")
def fr_address(doc: Document) -> list[Violation]:
    buyer = doc.buyer
    complete = bool(buyer.address_lines and buyer.postcode and buyer.city)
    return _one(
        "FR-ADDRESS",
        not doc.buyer_is_business or complete,
        _("A business customer's billing address is on the invoice."),
    )


@rule("FR-DUE-DATE")
def fr_due_date(doc: Document) -> list[Violation]:
    return _one(
        "FR-DUE-DATE",
        doc.type_code == CREDIT_NOTE_TYPE or doc.due_on is not None,
        _("An invoice gives its due date."),
    )


def document_check(doc: Document) -> list[Violation]:
    """Every rule above, in order: an empty list means the document may be issued."""
    found: list[Violation] = []
    for check in RULES.values():
        found.extend(check(doc))
    return found
