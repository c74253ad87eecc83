"""Issuing: numbers, totals as EN 16931 computes them, the frozen customer, the Factur-X
PDF (its XML validated with factur-x, its text read back), and what is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from buron.billing import services
from buron.billing.document import LineInput, Party
from buron.billing.models import Invoice, InvoiceLine, NumberCounter, Status
from buron.billing.services import InvoiceRefused

from .factories import ORG_SIREN, ORG_VAT, TRAINING_EXEMPTION, desk_day, training_day
from .helpers import NS, amounts, one, pdf_bytes, text_of, xml_of

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def test_it_numbers_invoices_in_one_sequence_per_seller(seller, member):
    numbers = [
        services.invoice_issue(
            seller=seller, lines=[desk_day()], customer_user=member, issued_on=DAY, render=False
        ).number
        for _ in range(3)
    ]
    assert numbers == ["CANTAL-2026-000001", "CANTAL-2026-000002", "CANTAL-2026-000003"]
    assert NumberCounter.objects.get(seller=seller).last == 3


def test_a_refused_issue_leaves_no_gap(seller, member):
    services.invoice_issue(seller=seller, lines=[desk_day()], customer_user=member, render=False)
    bad = LineInput(
        description="", quantity=Decimal(1), unit_price=Decimal(5), vat_rate=Decimal(20)
    )
    with pytest.raises(InvoiceRefused):
        services.invoice_issue(seller=seller, lines=[bad], customer_user=member, render=False)
    third = services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_user=member, render=False
    )
    assert third.sequence == 2
    assert Invoice.objects.count() == 2  # the refused one left nothing behind


def test_totals_round_each_line_once_and_vat_once_per_rate(seller, member):
    # Each line: 3 × 0.335 = 1.005 → 1.01. Total 3.03; VAT at 20 % on the sum: 0.606 →
    # 0.61, where rounding each line's VAT (0.202 → 0.20, three times) would give 0.60.
    line = LineInput(
        description="Impressions",
        quantity=Decimal(3),
        unit_price=Decimal("0.335"),
        vat_rate=Decimal(20),
    )
    invoice = services.invoice_issue(
        seller=seller, lines=[line, line, line], customer_user=member, render=False
    )
    assert list(invoice.lines.values_list("net_amount", flat=True)) == [Decimal("1.01")] * 3
    assert invoice.total_excl_vat == Decimal("3.03")
    assert invoice.total_vat == Decimal("0.61")
    assert invoice.total_incl_vat == Decimal("3.64")


def test_too_precise_amounts_and_zero_quantities_are_refused(seller, member):
    for quantity, price in (("1", "0.12345"), ("1.0001", "1"), ("0", "10")):
        line = LineInput(
            description="x",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            vat_rate=Decimal(20),
        )
        with pytest.raises(InvoiceRefused):
            services.invoice_issue(seller=seller, lines=[line], customer_user=member, render=False)
    assert not Invoice.objects.exists()


def test_the_customer_is_frozen_at_issue(seller, organisation):
    invoice = services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_organisation=organisation, render=False
    )
    organisation.legal_name = "Renamed"
    organisation.city = "Salers"
    organisation.save()
    seller.legal_name = "Renamed seller"
    seller.save()
    invoice.refresh_from_db()
    assert invoice.customer_name == "Fromageries du Plomb (démo)"
    assert invoice.customer_city == "Mauriac"
    assert invoice.customer_siren == ORG_SIREN
    assert invoice.seller_snapshot["name"] == "Cantal Attractivité (démo)"
    doc = services.invoice_document(invoice=invoice)
    assert doc.seller.name == "Cantal Attractivité (démo)"


def test_a_draft_may_change_and_an_issued_invoice_may_not(seller, member):
    draft = services.invoice_draft_create(seller=seller, lines=[desk_day()], customer_user=member)
    draft = services.invoice_draft_update(invoice=draft, lines=[desk_day("3")])
    assert draft.total_excl_vat == Decimal("50.01")
    issued = services.invoice_draft_issue(invoice=draft, render=False)
    with pytest.raises(InvoiceRefused) as info:
        services.invoice_draft_update(invoice=issued, lines=[desk_day("1")])
    assert info.value.code == "issued"
    with pytest.raises(InvoiceRefused):
        services.invoice_draft_delete(invoice=issued)
    with pytest.raises(InvoiceRefused):
        services.invoice_draft_issue(invoice=issued)
    issued.refresh_from_db()
    assert issued.total_excl_vat == Decimal("50.01")
    assert InvoiceLine.objects.filter(invoice=issued).count() == 1


def test_a_draft_may_be_deleted(seller, member):
    draft = services.invoice_draft_create(seller=seller, lines=[desk_day()], customer_user=member)
    services.invoice_draft_delete(invoice=draft)
    assert not Invoice.objects.exists()


def test_the_database_refuses_an_issued_invoice_without_number(seller, member):
    from django.db import IntegrityError, transaction

    draft = services.invoice_draft_create(seller=seller, lines=[desk_day()], customer_user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=draft.pk).update(status=Status.DUE)


def test_an_organisation_of_another_network_is_refused(seller):
    from buron.places.tests.factories import NetworkFactory

    from .factories import make_organisation

    other = make_organisation(NetworkFactory(slug="other"))
    with pytest.raises(InvoiceRefused):
        services.invoice_draft_create(
            seller=seller, lines=[desk_day()], customer_organisation=other
        )


def test_the_pdf_is_factur_x_en16931_with_its_totals_and_mentions(seller, organisation):
    delivery = Party(
        name="Site", address_lines=("Place de la Mairie",), postcode="15300", city="Murat"
    )
    invoice = services.invoice_issue(
        seller=seller,
        lines=[desk_day(), training_day()],
        customer_organisation=organisation,
        delivery=delivery,
        issued_on=DAY,
    )
    content = pdf_bytes(invoice)
    assert content.startswith(b"%PDF")
    root = xml_of(content)
    assert one(root, "//rsm:ExchangedDocument/ram:ID") == invoice.number
    assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    lines = amounts(root, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")
    header = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    assert sum(lines) == amounts(root, header + "ram:LineTotalAmount")[0] == Decimal("183.34")
    assert amounts(root, header + "ram:TaxTotalAmount") == [Decimal("6.67")]
    assert amounts(root, header + "ram:GrandTotalAmount") == [Decimal("190.01")]
    assert one(root, "//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == ORG_SIREN
    assert one(root, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == ORG_VAT
    assert one(root, "//ram:ShipToTradeParty//ram:CityName") == "Murat"
    assert one(root, "//ram:ApplicableTradeTax[ram:CategoryCode='E']/ram:ExemptionReasonCode") == (
        "VATEX-EU-132-1I"
    )
    assert one(root, "//ram:ApplicableTradeTax[ram:CategoryCode='S']/ram:DueDateTypeCode") == "72"
    text = text_of(content)
    for mention in (
        invoice.number,
        "SIREN 400123451",
        "SIREN 200012342",
        "Catégorie d'opération : prestation de services",
        "TVA acquittée sur les encaissements",
        "pénalités de retard",
        "indemnité forfaitaire de 40",
        "Pas d'escompte",
        "Adresse de livraison",
        "261-4-4°",
        "09/04/2026",  # 30 days of payment terms
    ):
        assert mention in text, mention


def test_a_member_s_invoice_has_no_recovery_indemnity_and_debits_show(seller, member):
    seller.vat_scheme = "debits"
    seller.save()
    invoice = services.invoice_issue(seller=seller, lines=[desk_day()], customer_user=member)
    content = pdf_bytes(invoice)
    root = xml_of(content)
    assert one(root, "//ram:ApplicableTradeTax[ram:CategoryCode='S']/ram:DueDateTypeCode") == "5"
    text = text_of(content)
    assert "indemnité forfaitaire" not in text
    assert "Option pour le paiement de la TVA d'après les débits" in text


def test_the_pdf_is_rendered_once_and_kept(seller, member):
    invoice = services.invoice_issue(seller=seller, lines=[desk_day()], customer_user=member)
    first = pdf_bytes(invoice)
    name = invoice.pdf.name
    again = services.invoice_pdf_render(invoice=Invoice.objects.get(pk=invoice.pk))
    assert again.pdf.name == name
    assert pdf_bytes(again) == first


def test_a_full_credit_note_cancels_the_invoice(seller, organisation):
    invoice = services.invoice_issue(
        seller=seller, lines=[desk_day(), training_day()], customer_organisation=organisation
    )
    note = services.credit_note_issue(invoice=invoice)
    assert note.number == "CANTAL-2026-000002" or note.sequence == invoice.sequence + 1
    assert note.total_incl_vat == invoice.total_incl_vat
    invoice.refresh_from_db()
    assert invoice.status == Status.CANCELLED
    root = xml_of(pdf_bytes(note))
    assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert one(root, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == invoice.number
    assert invoice.number in text_of(pdf_bytes(note))


def test_a_partial_credit_note_reduces_what_is_due_and_no_more_can_be_credited(seller, member):
    invoice = services.invoice_issue(
        seller=seller, lines=[desk_day("3")], customer_user=member, render=False
    )
    services.credit_note_issue(invoice=invoice, lines=[desk_day("1")], render=False)
    invoice.refresh_from_db()
    assert invoice.status == Status.DUE
    assert services.invoice_remaining(invoice=invoice) == Decimal("40.01")
    with pytest.raises(InvoiceRefused) as info:
        services.credit_note_issue(invoice=invoice, lines=[desk_day("3")], render=False)
    assert info.value.code == "over_credit"
    services.credit_note_issue(invoice=invoice, lines=[desk_day("2")], render=False)
    invoice.refresh_from_db()
    assert invoice.status == Status.CANCELLED


def test_a_credit_note_of_a_draft_or_a_credit_note_is_refused(seller, member):
    draft = services.invoice_draft_create(seller=seller, lines=[desk_day()], customer_user=member)
    with pytest.raises(InvoiceRefused):
        services.credit_note_issue(invoice=draft)
    invoice = services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_user=member, render=False
    )
    note = services.credit_note_issue(invoice=invoice, render=False)
    with pytest.raises(InvoiceRefused):
        services.credit_note_issue(invoice=note)


def test_the_management_command_issues_a_draft(seller, member, capsys):
    draft = services.invoice_draft_create(seller=seller, lines=[desk_day()], customer_user=member)
    call_command("invoice_issue", str(draft.pk))
    draft.refresh_from_db()
    assert draft.status == Status.DUE and draft.pdf
    assert draft.number in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("invoice_issue", str(draft.pk))


def test_the_exemption_reason_is_on_the_line(seller, member):
    invoice = services.invoice_issue(
        seller=seller, lines=[training_day()], customer_user=member, render=False
    )
    assert invoice.lines.get().vat_exemption_reason == TRAINING_EXEMPTION
    assert invoice.total_vat == Decimal("0.00")


def test_an_invoice_issued_from_an_english_page_is_in_french(seller, organisation):
    from django.utils import translation

    with translation.override("en"):
        invoice = services.invoice_issue(
            seller=seller, lines=[desk_day()], customer_organisation=organisation
        )
    content = pdf_bytes(invoice)
    text = text_of(content)
    assert "Facture" in text and "Pas d'escompte" in text and "12 %" in text
    assert "Invoice" not in text
    notes = xml_of(content).xpath("//ram:IncludedNote/ram:Content/text()", namespaces=NS)
    assert "Catégorie d'opération : prestation de services." in notes
