"""Each EN 16931 (and French) rule checked before issuing: a document that passes it, and
one it refuses. The refused documents are built by changing one thing in a good one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from buron.billing import services
from buron.billing.document import (
    CREDIT_NOTE_TYPE,
    Document,
    LineInput,
    Party,
    breakdown_of,
    lines_from,
    totals_of,
)
from buron.billing.models import Invoice
from buron.billing.rules import RULES, document_check
from buron.billing.services import InvoiceRefused

from .factories import desk_day, training_day

D = Decimal


def good(lines: list[LineInput] | None = None, **changes: object) -> Document:
    computed = lines_from(lines or [desk_day(), training_day()])
    breakdown = breakdown_of(computed)
    net, vat, gross = totals_of(computed, breakdown)
    doc = Document(
        number="CANTAL-2026-000001",
        type_code="380",
        issued_on=dt.date(2026, 3, 10),
        due_on=dt.date(2026, 4, 9),
        seller=Party(
            name="Seller",
            address_lines=("1 rue",),
            postcode="15000",
            city="Aurillac",
            siren="200012342",
            vat_number="FR82200012342",
        ),
        buyer=Party(
            name="Buyer",
            address_lines=("2 rue",),
            postcode="15200",
            city="Mauriac",
            siren="400123451",
        ),
        buyer_is_business=True,
        lines=computed,
        breakdown=breakdown,
        line_total=net,
        tax_basis_total=net,
        tax_total=vat,
        grand_total=gross,
        due_amount=gross,
        vat_on_debits=False,
    )
    return dataclasses.replace(doc, **changes)


def rules_broken(doc: Document) -> set[str]:
    return {v.rule for v in document_check(doc)}


def _line(doc: Document, **changes: object) -> Document:
    return dataclasses.replace(
        doc, lines=(dataclasses.replace(doc.lines[0], **changes), *doc.lines[1:])
    )


def _breakdown(doc: Document, index: int, **changes: object) -> Document:
    items = list(doc.breakdown)
    items[index] = dataclasses.replace(items[index], **changes)
    return dataclasses.replace(doc, breakdown=tuple(items))


BAD: dict[str, Callable[[Document], Document]] = {
    "BR-02": lambda d: dataclasses.replace(d, number=" "),
    "BR-03": lambda d: dataclasses.replace(d, issued_on=None),
    "BR-04": lambda d: dataclasses.replace(d, type_code="999"),
    "BR-06": lambda d: dataclasses.replace(d, seller=dataclasses.replace(d.seller, name="")),
    "BR-07": lambda d: dataclasses.replace(d, buyer=dataclasses.replace(d.buyer, name="")),
    "BR-08": lambda d: dataclasses.replace(d, seller=dataclasses.replace(d.seller, city="")),
    "BR-09": lambda d: dataclasses.replace(d, seller=dataclasses.replace(d.seller, country="")),
    "BR-11": lambda d: dataclasses.replace(d, buyer=dataclasses.replace(d.buyer, country="f")),
    "BR-16": lambda d: dataclasses.replace(d, lines=()),
    "BR-24": lambda d: _line(d, net_amount=d.lines[0].net_amount + D("0.01")),
    "BR-25": lambda d: _line(d, description="  "),
    "BR-27": lambda d: _line(d, unit_price=D("-1")),
    "BR-CO-10": lambda d: dataclasses.replace(d, line_total=d.line_total + D("0.01")),
    "BR-CO-13": lambda d: dataclasses.replace(d, tax_basis_total=d.tax_basis_total - D("1")),
    "BR-CO-14": lambda d: dataclasses.replace(d, tax_total=d.tax_total + D("0.01")),
    "BR-CO-15": lambda d: dataclasses.replace(d, grand_total=d.grand_total + D("0.01")),
    "BR-CO-16": lambda d: dataclasses.replace(d, due_amount=d.due_amount - D("1")),
    "BR-CO-18": lambda d: dataclasses.replace(d, breakdown=()),
    # VAT per line summed (0.202 → 0.20 three times) instead of once on the sum:
    "BR-S-08": lambda d: _breakdown(d, 0, amount=d.breakdown[0].amount - D("0.01")),
    "BR-S-05": lambda d: _line(d, vat_rate=D("0")),
    "BR-E-05": lambda d: dataclasses.replace(
        d, lines=(d.lines[0], dataclasses.replace(d.lines[1], vat_rate=D("5.5")))
    ),
    "BR-E-08": lambda d: _breakdown(d, 1, basis=d.breakdown[1].basis + D("1")),
    "BR-E-09": lambda d: _breakdown(d, 1, amount=D("1.00")),
    "BR-E-10": lambda d: _breakdown(d, 1, exemption_code="", exemption_reason=""),
    "BR-S-02": lambda d: dataclasses.replace(
        d, seller=dataclasses.replace(d.seller, vat_number="")
    ),
    "BR-55": lambda d: dataclasses.replace(d, type_code=CREDIT_NOTE_TYPE),
    "FR-SIREN": lambda d: dataclasses.replace(d, buyer=dataclasses.replace(d.buyer, siren="")),
    "FR-ADDRESS": lambda d: dataclasses.replace(
        d, buyer=dataclasses.replace(d.buyer, address_lines=())
    ),
    "FR-DUE-DATE": lambda d: dataclasses.replace(d, due_on=None),
}


def outside_scope() -> LineInput:
    """A line not subject to VAT (category O): e.g. a service a public body renders as a
    public authority, outside the scope of VAT."""
    return LineInput(
        description="Mise à disposition d'une salle (hors champ)",
        quantity=D("1"),
        unit_price=D("30.00"),
        vat_rate=D("0"),
        vat_exemption_code="VATEX-EU-O",
        vat_exemption_reason="Opération hors du champ d'application de la TVA",
    )


def good_outside(lines: list[LineInput] | None = None) -> Document:
    """An invoice wholly outside the scope of VAT: no VAT number on either side."""
    doc = good(lines or [outside_scope()])
    return dataclasses.replace(
        doc,
        seller=dataclasses.replace(doc.seller, vat_number=""),
        buyer=dataclasses.replace(doc.buyer, vat_number=""),
    )


# The rules of category O ("not subject to VAT"), each broken from an invoice that is.
BAD_OUTSIDE: dict[str, Callable[[Document], Document]] = {
    "BR-O-02": lambda d: dataclasses.replace(
        d, seller=dataclasses.replace(d.seller, vat_number="FR82200012342")
    ),
    "BR-O-05": lambda d: _line(d, vat_rate=D("5.5")),
    "BR-O-08": lambda d: _breakdown(d, 0, basis=d.breakdown[0].basis + D("1")),
    "BR-O-09": lambda d: _breakdown(d, 0, amount=D("1.00")),
    "BR-O-10": lambda d: _breakdown(d, 0, exemption_code="", exemption_reason=""),
    "BR-O-11": lambda d: good_outside([outside_scope(), desk_day()]),
}


def test_every_rule_has_a_refused_case():
    assert set(BAD) | set(BAD_OUTSIDE) == set(RULES)


def test_a_line_not_subject_to_vat_is_category_o_and_an_exempt_one_e():
    doc = good_outside([outside_scope()])
    assert [line.category for line in doc.lines] == ["O"]
    assert [(b.category, b.exemption_code) for b in doc.breakdown] == [("O", "VATEX-EU-O")]
    assert [line.category for line in good().lines] == ["S", "E"]


def test_the_invoice_outside_the_scope_of_vat_passes_every_rule():
    assert rules_broken(good_outside()) == set()


@pytest.mark.parametrize("code", sorted(BAD_OUTSIDE))
def test_each_rule_of_category_o_refuses_its_bad_case(code):
    doc = good_outside()
    assert code not in rules_broken(doc)
    assert code in rules_broken(BAD_OUTSIDE[code](doc))


def test_the_good_document_passes_every_rule():
    assert rules_broken(good()) == set()


@pytest.mark.parametrize("code", sorted(BAD))
def test_each_rule_refuses_its_bad_case(code):
    doc = good()
    assert code not in rules_broken(doc)
    assert code in rules_broken(BAD[code](doc))


def test_vat_is_computed_once_per_rate_on_the_sum_of_its_lines():
    line = LineInput(description="x", quantity=D(3), unit_price=D("0.335"), vat_rate=D(20))
    doc = good([line, line, line])
    assert doc.breakdown[0].basis == D("3.03")
    assert doc.breakdown[0].amount == D("0.61")  # 0.606, not 3 × 0.20
    assert rules_broken(doc) == set()


@pytest.mark.django_db
def test_an_exempt_line_without_reason_is_refused_before_issuing(seller, member):
    line = dataclasses.replace(training_day(), vat_exemption_code="", vat_exemption_reason="")
    with pytest.raises(InvoiceRefused) as info:
        services.invoice_issue(seller=seller, lines=[line], customer_user=member, render=False)
    assert any("BR-E-10" in m for m in info.value.messages)
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_a_business_customer_without_address_is_refused_before_issuing(seller, organisation):
    organisation.address_lines = ""
    organisation.save()
    draft = services.invoice_draft_create(
        seller=seller, lines=[desk_day()], customer_organisation=organisation
    )
    assert any("FR-ADDRESS" in m for m in services.invoice_check(invoice=draft))
    with pytest.raises(InvoiceRefused):
        services.invoice_draft_issue(invoice=draft, render=False)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.number == ""


@pytest.mark.django_db
def test_a_seller_without_vat_number_may_only_issue_exempt_lines(seller, member):
    seller.vat_number = ""
    seller.save()
    with pytest.raises(InvoiceRefused):
        services.invoice_issue(
            seller=seller, lines=[desk_day()], customer_user=member, render=False
        )
    issued = services.invoice_issue(
        seller=seller, lines=[training_day()], customer_user=member, render=False
    )
    assert issued.number


@pytest.mark.django_db
def test_an_invoice_outside_the_scope_of_vat_is_issued_with_category_o(seller, member):
    from .helpers import NS, one, pdf_bytes, xml_of

    issued = services.invoice_issue(seller=seller, lines=[outside_scope()], customer_user=member)
    root = xml_of(pdf_bytes(issued))
    trade = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert one(root, f"{trade}/ram:CategoryCode") == "O"
    assert one(root, f"{trade}/ram:ExemptionReasonCode") == "VATEX-EU-O"
    assert not root.xpath(f"{trade}/ram:RateApplicablePercent", namespaces=NS)
    line_tax = "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
    assert one(root, f"{line_tax}/ram:CategoryCode") == "O"
    assert not root.xpath(f"{line_tax}/ram:RateApplicablePercent", namespaces=NS)
    # BR-O-02: the seller's VAT number is left out, its SIREN stays.
    seller_party = "//ram:SellerTradeParty"
    assert not root.xpath(f"{seller_party}/ram:SpecifiedTaxRegistration", namespaces=NS)
    assert one(root, f"{seller_party}/ram:SpecifiedLegalOrganization/ram:ID") == seller.siren


@pytest.mark.django_db
def test_lines_outside_the_scope_of_vat_mixed_with_taxed_ones_are_refused_before_issuing(
    seller, member
):
    with pytest.raises(InvoiceRefused) as info:
        services.invoice_issue(
            seller=seller, lines=[outside_scope(), desk_day()], customer_user=member, render=False
        )
    assert any("BR-O-11" in m for m in info.value.messages)
    assert not Invoice.objects.exists()
