"""Selling offers with an invoice: every sale recorded by offers (at the desk, online,
by an automatic renewal) is invoiced inside its transaction; a member buys online and pays
through the payment adapter; a purchase not used yet is refunded by a credit note.

Offers sits below billing: it calls `sale_invoice` through its sale listeners
(registered in BillingConfig.ready), never billing directly.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import Organisation, User
from buron.offers import services as offers
from buron.offers.models import Offer, PaymentMethod, Right, Sale
from buron.places.models import Site

from .document import LineInput
from .models import Invoice, Kind, Seller, Status
from .models import PaymentMethod as InvoicePaymentMethod
from .payments import PaymentAdapter, payment_adapter
from .services import (
    InvoiceRefused,
    credit_note_issue,
    invoice_issue,
    invoice_remaining,
    payment_record,
)

logger = logging.getLogger(__name__)

LISTENER = "billing-invoice"
# How a member may pay a purchase made online: by card through the adapter (when it is
# an online one), or offline (the invoice stays due until a host records the payment).
OFFLINE_PURCHASE_METHODS = (
    PaymentMethod.TRANSFER,
    PaymentMethod.CHEQUE,
    PaymentMethod.DESK,
    PaymentMethod.PUBLIC_CASH_OFFICE,
)


def _service_dates(sale: Sale) -> dict[int, tuple[dt.date, dt.date]]:
    """Each offer's service period: its right's first and last day, else the sale's day."""
    return {
        r.offer_id: (r.starts_on, r.expires_on)
        for r in Right.objects.filter(sale=sale).order_by("pk")
    }


def sale_lines(sale: Sale) -> list[LineInput]:
    """The invoice lines of a sale: its lines at their unit price excl. VAT and VAT rate,
    with their exemption and service dates."""
    periods = _service_dates(sale)
    day = timezone.localdate(sale.created_at) if sale.created_at else timezone.localdate()
    lines = []
    for line in sale.lines.select_related("offer").order_by("pk"):
        start, end = periods.get(line.offer_id, (day, day))
        lines.append(
            LineInput(
                description=line.description,
                quantity=Decimal(line.quantity),
                unit_price=line.unit_price_excl_vat,
                vat_rate=line.vat_rate,
                service_start=start,
                service_end=end,
                vat_exemption_code=line.vat_exemption_code,
                vat_exemption_reason=line.vat_exemption_reason,
            )
        )
    return lines


def sale_invoice(sale: Sale) -> Invoice | None:
    """Issue the invoice of a sale, inside the sale's transaction (a refusal rolls the sale
    back): to its organisation or its member. A sale paid at the desk to a host gets its
    payment recorded at once. Nothing for a free sale, nor in a network without a seller
    (its sales are invoiced by hand)."""
    seller = Seller.objects.filter(network_id=sale.network_id).first()
    if seller is None or sale.total_incl_vat <= 0:
        if seller is None:
            logger.warning(
                "sale %s not invoiced: network %s has no seller", sale.pk, sale.network_id
            )
        return None
    invoice = invoice_issue(
        seller=seller,
        lines=sale_lines(sale),
        customer_user=None if sale.organisation_id else sale.member,
        customer_organisation=sale.organisation,
        render=False,
        sale=sale,
    )
    paid_to_host = sale.sold_by_id is not None and sale.sold_by_id != sale.member_id
    if sale.payment_method == PaymentMethod.DESK and paid_to_host:
        payment_record(
            invoice=invoice,
            amount=invoice.total_incl_vat,
            method=InvoicePaymentMethod.DESK,
            paid_on=timezone.localdate(),
            by=sale.sold_by,
        )
    return invoice


def connect() -> None:
    """Invoice every sale (BillingConfig.ready)."""
    offers.sale_listener_register(name=LISTENER, listener=sale_invoice)


# --- buying online ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Purchase:
    """A purchase just made: its sale, its invoice, and where to send the member to pay
    (the card provider's page), if anywhere."""

    sale: Sale
    invoice: Invoice | None
    pay_url: str = ""


def purchase_methods(*, adapter: PaymentAdapter | None = None) -> list[str]:
    """How a member may pay online here: card first when the adapter is an online one."""
    adapter = adapter or payment_adapter()
    card = [PaymentMethod.CARD.value] if adapter.online else []
    return card + [m.value for m in OFFLINE_PURCHASE_METHODS]


def purchase_start(
    *,
    member: User,
    site: Site,
    offer: Offer,
    quantity: int = 1,
    method: str,
    organisation: Organisation | None = None,
    return_url: str = "",
    adapter: PaymentAdapter | None = None,
) -> Purchase:
    """A member buys an offer online: the sale is recorded and invoiced at once. Paid by
    card, the right comes when the provider confirms the payment; paid offline, at once
    (the invoice due) when the network's seller says so, else when the invoice is paid."""
    adapter = adapter or payment_adapter()
    if method not in purchase_methods(adapter=adapter):
        raise InvoiceRefused(_("This way of paying is not offered here."), code="method")
    seller = Seller.objects.filter(network_id=site.network_id).first()
    if seller is None:
        raise InvoiceRefused(
            _("This network does not sell online yet: ask at the desk."), code="no_seller"
        )
    if organisation is not None and (
        organisation.network_id != site.network_id
        or not organisation.managers.filter(pk=member.pk).exists()
    ):
        raise InvoiceRefused(_("You do not manage this organisation."), code="organisation")
    grant = method != PaymentMethod.CARD and seller.rights_before_payment
    with transaction.atomic():
        sale = offers.sale_record(
            site=site,
            member=member,
            offers=[(offer, quantity)],
            payment_method=method,
            sold_by=None,
            grant=grant,
            organisation=organisation,
        )
        invoice = Invoice.objects.filter(sale=sale).first()
        if invoice is None:  # a free offer: nothing to pay
            offers.sale_rights_grant(sale=sale)
    pay_url = ""
    if method == PaymentMethod.CARD and invoice is not None:
        checkout = adapter.checkout(
            invoice=invoice, amount=invoice.total_incl_vat, return_url=return_url
        )
        pay_url = checkout.url
    return Purchase(sale=sale, invoice=invoice, pay_url=pay_url)


def purchase_pay_url(
    *, invoice: Invoice, return_url: str = "", adapter: PaymentAdapter | None = None
) -> str:
    """Pay what remains of a purchase's invoice by card (again, after a declined card);
    refused when nothing is left to pay."""
    adapter = adapter or payment_adapter()
    remaining = invoice_remaining(invoice=invoice)
    if remaining <= 0:
        raise InvoiceRefused(_("This invoice has nothing left to pay."), code="nothing_due")
    return adapter.checkout(invoice=invoice, amount=remaining, return_url=return_url).url


# --- refunds ---------------------------------------------------------------------------------


@transaction.atomic
def purchase_refund(*, sale: Sale, by: User | None = None) -> Invoice | None:
    """Refund a purchase not used yet: its rights are taken back (what is left written off
    in their ledger) and its invoice is credited for what has not been credited yet. A
    purchase already used is refused. The credit note, or None for a sale not invoiced."""
    offers.sale_rights_revoke(sale=sale, by=by)
    invoice = Invoice.objects.filter(sale=sale, kind=Kind.INVOICE).first()
    if invoice is None or invoice.status == Status.CANCELLED:
        return None
    return credit_note_issue(invoice=invoice, render=False)
