"""Writes on invoices: drafts, issuing (numbering, freezing, Factur-X), credit notes,
payments and reminders. An issued invoice is never changed by any of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import Organisation, User
from buron.core.money import money
from buron.offers.models import Sale
from buron.offers.services import sale_rights_grant

from .cii import cii_xml
from .document import (
    CREDIT_NOTE_TYPE,
    INVOICE_TYPE,
    NOT_SUBJECT,
    Document,
    LineInput,
    Party,
    breakdown_of,
    lines_from,
    totals_of,
)
from .mentions import mentions_for
from .models import Invoice, InvoiceLine, Kind, NumberCounter, Payment, Seller, Status
from .pdf import FacturXInvalid, pdf_render, xml_check
from .rules import document_check

# French law asks for invoices in French: the PDF and its XML notes are, whoever issues them.
INVOICE_LANGUAGE = "fr"


class InvoiceRefused(ValidationError):
    """An invoice action that the rules refuse; nothing was changed."""


# --- Drafts ----------------------------------------------------------------------------------


def _customer_fields(
    *, customer_user: User | None, customer_organisation: Organisation | None
) -> dict[str, Any]:
    if customer_organisation is not None:
        org = customer_organisation
        return {
            "customer_name": org.legal_name,
            "customer_email": "",
            "customer_siren": org.siren.replace(" ", ""),
            "customer_vat_number": org.vat_number.replace(" ", "").upper(),
            "customer_is_business": True,
            "customer_address_lines": org.address_lines,
            "customer_postcode": org.postcode,
            "customer_city": org.city,
            "customer_country": org.country,
        }
    if customer_user is None:
        raise InvoiceRefused(_("An invoice needs a customer: a member or an organisation."))
    return {
        "customer_name": customer_user.get_full_name() or customer_user.email,
        "customer_email": customer_user.email,
        "customer_is_business": False,
    }


def _check_inputs(lines: Sequence[LineInput]) -> None:
    """Amounts as precise as they are stored: a unit price to 4 decimals, a quantity to 3."""
    for line in lines:
        unit_exp = Decimal(line.unit_price).as_tuple().exponent
        qty_exp = Decimal(line.quantity).as_tuple().exponent
        if not isinstance(unit_exp, int) or not isinstance(qty_exp, int):
            raise InvoiceRefused(_("An amount is not a number."), code="precision")
        if unit_exp < -4 or qty_exp < -3:
            raise InvoiceRefused(
                _("A unit price has at most 4 decimals, a quantity at most 3."),
                code="precision",
            )
        if Decimal(line.quantity) <= 0:
            raise InvoiceRefused(_("A quantity is above zero."), code="quantity")


def _line_rows(invoice: Invoice, lines: Sequence[LineInput]) -> list[InvoiceLine]:
    _check_inputs(lines)
    return [
        InvoiceLine(
            invoice=invoice,
            position=line.position,
            description=line.description,
            service_start=line.service_start,
            service_end=line.service_end,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            vat_exemption_code=line.vat_exemption_code,
            vat_exemption_reason=line.vat_exemption_reason,
            net_amount=line.net_amount,
        )
        for line in lines_from(lines)
    ]


def _set_totals(invoice: Invoice, lines: Sequence[LineInput]) -> None:
    computed = lines_from(lines)
    net, vat, gross = totals_of(computed, breakdown_of(computed))
    invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat = net, vat, gross


@transaction.atomic
def invoice_draft_create(
    *,
    seller: Seller,
    lines: Sequence[LineInput],
    customer_user: User | None = None,
    customer_organisation: Organisation | None = None,
    delivery: Party | None = None,
    sale: Sale | None = None,
) -> Invoice:
    """A draft invoice for a member or an organisation of the seller's network (of a sale
    recorded by offers, when given)."""
    if customer_organisation is not None and customer_organisation.network_id != seller.network_id:
        raise InvoiceRefused(_("This organisation belongs to another network."))
    invoice = Invoice(
        network_id=seller.network_id,
        seller=seller,
        sale=sale,
        customer_user=customer_user,
        customer_organisation=customer_organisation,
        **_customer_fields(
            customer_user=customer_user, customer_organisation=customer_organisation
        ),
    )
    if delivery is not None:
        _set_delivery(invoice, delivery)
    _set_totals(invoice, lines)
    invoice.save()
    InvoiceLine.objects.bulk_create(_line_rows(invoice, lines))
    return invoice


def _set_delivery(invoice: Invoice, delivery: Party) -> None:
    invoice.delivery_address_lines = "\n".join(delivery.address_lines)
    invoice.delivery_postcode = delivery.postcode
    invoice.delivery_city = delivery.city
    invoice.delivery_country = delivery.country


def _locked_draft(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != Status.DRAFT:
        raise InvoiceRefused(
            _("An issued invoice is never changed or deleted: issue a credit note instead."),
            code="issued",
        )
    return locked


@transaction.atomic
def invoice_draft_update(*, invoice: Invoice, lines: Sequence[LineInput]) -> Invoice:
    """Replace a draft's lines (and its totals); an issued invoice is refused."""
    draft = _locked_draft(invoice)
    draft.lines.all().delete()
    _set_totals(draft, lines)
    draft.save(update_fields=["total_excl_vat", "total_vat", "total_incl_vat"])
    InvoiceLine.objects.bulk_create(_line_rows(draft, lines))
    return draft


@transaction.atomic
def invoice_draft_delete(*, invoice: Invoice) -> None:
    """Delete a draft; an issued invoice is refused."""
    draft = _locked_draft(invoice)
    draft.lines.all().delete()
    draft.delete()


# --- Issuing ---------------------------------------------------------------------------------


def _seller_snapshot(seller: Seller) -> dict[str, Any]:
    return {
        "name": seller.legal_name,
        "legal_form": seller.legal_form,
        "siren": seller.siren.replace(" ", ""),
        "siret": seller.siret.replace(" ", ""),
        "vat_number": seller.vat_number.replace(" ", "").upper(),
        "registration": seller.registration,
        "address_lines": [x for x in seller.address_lines.splitlines() if x.strip()],
        "postcode": seller.postcode,
        "city": seller.city,
        "country": seller.country,
        "email": seller.email,
        "vat_on_debits": seller.vat_scheme == "debits",
        "payment_terms_days": seller.payment_terms_days,
        "late_penalty_rate": str(seller.late_penalty_rate),
        "iban": seller.iban,
        "bic": seller.bic,
        "training_declaration_number": seller.training_declaration_number,
    }


def _inputs_of(invoice: Invoice) -> list[LineInput]:
    return [
        LineInput(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            service_start=line.service_start,
            service_end=line.service_end,
            vat_exemption_code=line.vat_exemption_code,
            vat_exemption_reason=line.vat_exemption_reason,
        )
        for line in invoice.lines.order_by("position", "pk")
    ]


def invoice_document(*, invoice: Invoice, lines: Sequence[LineInput] | None = None) -> Document:
    """The document of an invoice (issued: as frozen; draft: as it would be issued)."""
    snap = invoice.seller_snapshot or _seller_snapshot(invoice.seller)
    computed = lines_from(lines if lines is not None else _inputs_of(invoice))
    breakdown = breakdown_of(computed)
    net, vat, gross = totals_of(computed, breakdown)
    # Outside the scope of VAT (category O), an invoice gives no VAT number (BR-O-02).
    outside = bool(computed) and all(line.category == NOT_SUBJECT for line in computed)
    seller = Party(
        name=snap["name"],
        address_lines=tuple(snap["address_lines"]),
        postcode=snap["postcode"],
        city=snap["city"],
        country=snap["country"],
        siren=snap["siren"],
        siret=snap["siret"],
        vat_number="" if outside else snap["vat_number"],
        email=snap["email"],
    )
    buyer = Party(
        name=invoice.customer_name,
        address_lines=tuple(x for x in invoice.customer_address_lines.splitlines() if x.strip()),
        postcode=invoice.customer_postcode,
        city=invoice.customer_city,
        country=invoice.customer_country,
        siren=invoice.customer_siren,
        vat_number="" if outside else invoice.customer_vat_number,
        email=invoice.customer_email,
    )
    delivery = None
    if invoice.delivery_city:
        delivery = Party(
            name=invoice.customer_name,
            address_lines=tuple(
                x for x in invoice.delivery_address_lines.splitlines() if x.strip()
            ),
            postcode=invoice.delivery_postcode,
            city=invoice.delivery_city,
            country=invoice.delivery_country or "FR",
        )
    credited = invoice.credited_invoice
    mentions = mentions_for(
        penalty_rate=Decimal(snap["late_penalty_rate"]),
        vat_on_debits=snap["vat_on_debits"],
        business_customer=invoice.customer_is_business,
        training_number=snap["training_declaration_number"],
        language=INVOICE_LANGUAGE,
    )
    notes = [("REG", mentions.operation_category), ("REG", mentions.vat_scheme)]
    if invoice.kind == Kind.INVOICE:
        notes.append(("PMD", mentions.late_penalties))
        if mentions.recovery_indemnity:
            notes.append(("PMT", mentions.recovery_indemnity))
        notes.append(("AAB", mentions.no_discount))
    return Document(
        number=invoice.number,
        type_code=CREDIT_NOTE_TYPE if invoice.kind == Kind.CREDIT_NOTE else INVOICE_TYPE,
        issued_on=invoice.issued_on or timezone.localdate(),
        due_on=invoice.due_on,
        seller=seller,
        buyer=buyer,
        buyer_is_business=invoice.customer_is_business,
        lines=computed,
        breakdown=breakdown,
        line_total=net,
        tax_basis_total=net,
        tax_total=vat,
        grand_total=gross,
        due_amount=gross,
        vat_on_debits=snap["vat_on_debits"],
        delivery=delivery,
        preceding_number=credited.number if credited is not None else "",
        preceding_issued_on=credited.issued_on if credited is not None else None,
        seller_legal_form=snap["legal_form"],
        seller_registration=snap["registration"],
        seller_training_number=snap["training_declaration_number"],
        iban=snap["iban"],
        bic=snap["bic"],
        late_penalty_rate=Decimal(snap["late_penalty_rate"]),
        notes=tuple(notes),
    )


def _locked_counter(seller: Seller) -> NumberCounter:
    """The seller's counter row, locked until the issuing transaction ends."""
    counter = NumberCounter.objects.select_for_update().filter(seller=seller).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            NumberCounter.objects.create(seller=seller)
    except IntegrityError:
        pass  # created by a concurrent issuer: lock theirs
    return NumberCounter.objects.select_for_update().get(seller=seller)


def _refuse_if_invalid(doc: Document) -> bytes:
    violations = document_check(doc)
    if violations:
        raise InvoiceRefused([str(v) for v in violations], code="en16931")
    xml = cii_xml(doc)
    try:
        xml_check(xml)
    except FacturXInvalid as exc:
        raise InvoiceRefused(
            _("The Factur-X XML is not valid: %(error)s") % {"error": exc}
        ) from exc
    return xml


def invoice_check(*, invoice: Invoice) -> list[str]:
    """What would refuse this draft at issue (EN 16931 and French rules), as messages."""
    probe = Invoice(
        **{f.attname: getattr(invoice, f.attname) for f in Invoice._meta.concrete_fields}
    )
    probe.number = probe.number or "PROBE"
    probe.seller_snapshot = probe.seller_snapshot or _seller_snapshot(invoice.seller)
    probe.issued_on = probe.issued_on or timezone.localdate()
    probe.due_on = probe.due_on or probe.issued_on
    doc = invoice_document(invoice=probe, lines=_inputs_of(invoice))
    return [str(v) for v in document_check(doc)]


def invoice_draft_issue(
    *, invoice: Invoice, issued_on: dt.date | None = None, render: bool = True
) -> Invoice:
    """Issue a draft: number it in the seller's sequence, freeze its seller and customer,
    check the EN 16931 rules and the XML schema, then render and keep its Factur-X PDF.

    The counter row is locked inside the transaction: concurrent issuers queue, and a
    refusal rolls the number back, so the sequence has no gap and no duplicate."""
    with transaction.atomic():
        draft = _locked_draft(invoice)
        seller = Seller.objects.get(pk=draft.seller_id)
        day = issued_on or timezone.localdate()
        draft.seller_snapshot = _seller_snapshot(seller)
        draft.issued_on = day
        if draft.kind == Kind.INVOICE:
            draft.due_on = day + dt.timedelta(days=seller.payment_terms_days)
        counter = _locked_counter(seller)
        counter.last += 1
        draft.sequence = counter.last
        draft.number = f"{seller.number_prefix}-{day.year}-{counter.last:06d}"
        lines = _inputs_of(draft)
        doc = invoice_document(invoice=draft, lines=lines)
        draft.facturx_xml = _refuse_if_invalid(doc).decode()
        draft.total_excl_vat, draft.total_vat = doc.tax_basis_total, doc.tax_total
        draft.total_incl_vat = doc.grand_total
        draft.status = Status.PAID if draft.kind == Kind.CREDIT_NOTE else Status.DUE
        counter.save(update_fields=["last"])
        draft.save()
        if draft.kind == Kind.CREDIT_NOTE and draft.credited_invoice_id is not None:
            _restatus(Invoice.objects.select_for_update().get(pk=draft.credited_invoice_id))
    if render:
        invoice_pdf_render(invoice=draft)
    return draft


def invoice_issue(
    *,
    seller: Seller,
    lines: Sequence[LineInput],
    customer_user: User | None = None,
    customer_organisation: Organisation | None = None,
    delivery: Party | None = None,
    issued_on: dt.date | None = None,
    render: bool = True,
    sale: Sale | None = None,
) -> Invoice:
    """Issue an invoice from generic lines (a sale, a month of an employer contract…) in one
    call: the draft is created and issued in the same transaction, or not at all."""
    with transaction.atomic():
        draft = invoice_draft_create(
            seller=seller,
            lines=lines,
            customer_user=customer_user,
            customer_organisation=customer_organisation,
            delivery=delivery,
            sale=sale,
        )
        issued = invoice_draft_issue(invoice=draft, issued_on=issued_on, render=False)
    if render:
        invoice_pdf_render(invoice=issued)
    return issued


def invoice_pdf_render(*, invoice: Invoice) -> Invoice:
    """Render and keep the Factur-X PDF of an issued invoice, once: a kept file is never
    rendered again."""
    if invoice.status == Status.DRAFT:
        raise InvoiceRefused(_("A draft has no PDF: issue it first."))
    if invoice.pdf:
        return invoice
    doc = invoice_document(invoice=invoice)
    mentions = mentions_for(
        penalty_rate=doc.late_penalty_rate,
        vat_on_debits=doc.vat_on_debits,
        business_customer=doc.buyer_is_business,
        training_number=doc.seller_training_number,
        language=INVOICE_LANGUAGE,
    )
    content = pdf_render(
        doc=doc,
        mentions=mentions,
        xml=invoice.facturx_xml.encode(),
        language=INVOICE_LANGUAGE,
    )
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.pdf:
            return locked
        locked.pdf.save(f"{invoice.number}.pdf", ContentFile(content), save=False)
        locked.save(update_fields=["pdf"])
    invoice.pdf = locked.pdf
    return invoice


# --- Credit notes ----------------------------------------------------------------------------


def _credited_total(invoice: Invoice) -> Decimal:
    total = invoice.credit_notes.exclude(status=Status.DRAFT).aggregate(s=Sum("total_incl_vat"))
    return money(total["s"] or 0)


def _paid_total(invoice: Invoice) -> Decimal:
    return money(invoice.payments.aggregate(s=Sum("amount"))["s"] or 0)


def invoice_remaining(*, invoice: Invoice) -> Decimal:
    """What remains due: the total less payments and credit notes (never below zero)."""
    if invoice.kind != Kind.INVOICE or invoice.status == Status.DRAFT:
        return money(0)
    left = invoice.total_incl_vat - _paid_total(invoice) - _credited_total(invoice)
    return max(money(left), money(0))


def _restatus(invoice: Invoice) -> None:
    credited = _credited_total(invoice)
    if credited >= invoice.total_incl_vat:
        status = Status.CANCELLED
    elif invoice_remaining(invoice=invoice) == 0:
        status = Status.PAID
    else:
        status = Status.DUE
    if status != invoice.status:
        invoice.status = status
        invoice.save(update_fields=["status"])


def credit_note_issue(
    *,
    invoice: Invoice,
    lines: Sequence[LineInput] | None = None,
    issued_on: dt.date | None = None,
    render: bool = True,
) -> Invoice:
    """A credit note referring to an issued invoice: all of it (no lines given) or part of
    it; never more than what has not been credited yet."""
    with transaction.atomic():
        original = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if original.kind != Kind.INVOICE or original.status == Status.DRAFT:
            raise InvoiceRefused(_("Only an issued invoice can be credited."))
        items = list(lines) if lines is not None else _inputs_of(original)
        note = Invoice(
            network_id=original.network_id,
            seller_id=original.seller_id,
            kind=Kind.CREDIT_NOTE,
            credited_invoice=original,
            customer_user_id=original.customer_user_id,
            customer_organisation_id=original.customer_organisation_id,
            **{
                f.attname: getattr(original, f.attname)
                for f in Invoice._meta.concrete_fields
                if f.attname.startswith(("customer_", "delivery_"))
                and f.attname not in ("customer_user_id", "customer_organisation_id")
            },
        )
        _set_totals(note, items)
        if note.total_incl_vat <= 0:
            raise InvoiceRefused(_("A credit note credits a positive amount."))
        if note.total_incl_vat > original.total_incl_vat - _credited_total(original):
            raise InvoiceRefused(
                _("A credit note cannot credit more than what remains of the invoice."),
                code="over_credit",
            )
        note.save()
        InvoiceLine.objects.bulk_create(_line_rows(note, items))
        issued = invoice_draft_issue(invoice=note, issued_on=issued_on, render=False)
    if render:
        invoice_pdf_render(invoice=issued)
    return issued


# --- Payments --------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal,
    method: str,
    paid_on: dt.date,
    reference: str = "",
    by: User | None = None,
) -> Payment:
    """Record money received against an issued invoice; never more than what remains due
    (a second payment of a paid invoice is refused), and a reference only once."""
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    amount = money(amount)
    if locked.kind != Kind.INVOICE or locked.status == Status.DRAFT:
        raise InvoiceRefused(_("Payments are recorded against issued invoices only."))
    if amount <= 0:
        raise InvoiceRefused(_("A payment is a positive amount."), code="not_positive")
    remaining = invoice_remaining(invoice=locked)
    if remaining == 0:
        raise InvoiceRefused(_("This invoice has nothing left to pay."), code="nothing_due")
    if amount > remaining:
        raise InvoiceRefused(
            _("This payment is more than what remains due (%(remaining)s).")
            % {"remaining": remaining},
            code="over_payment",
        )
    if reference and Payment.objects.filter(method=method, reference=reference).exists():
        raise InvoiceRefused(_("This payment has already been recorded."), code="duplicate")
    payment = Payment.objects.create(
        invoice=locked,
        amount=amount,
        method=method,
        paid_on=paid_on,
        reference=reference,
        recorded_by=by,
    )
    _restatus(locked)
    if locked.sale_id is not None and locked.status == Status.PAID:
        # A purchase's rights come once its invoice is paid (when not given at once).
        sale_rights_grant(sale=Sale.objects.select_related("member").get(pk=locked.sale_id))
    return payment


# --- Members' data ---------------------------------------------------------------------------


def member_invoices_export(user: User) -> list[dict[str, Any]]:
    """The member's invoices and credit notes, for their data export."""
    return [
        {
            "number": inv.number,
            "kind": inv.kind,
            "issued_on": inv.issued_on.isoformat() if inv.issued_on else None,
            "total_incl_vat": str(inv.total_incl_vat),
            "status": inv.status,
        }
        for inv in Invoice.objects.filter(customer_user=user).exclude(status=Status.DRAFT)
    ]
