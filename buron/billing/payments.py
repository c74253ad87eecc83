"""The payment adapter: one interface for the ways an invoice is paid.

The default (``OfflinePayments``) records a payment made at the desk, by transfer, by cheque
or at the public cash office: nothing leaves the machine. An online card provider implements
``checkout`` (where to send the payer) and ``verify`` (read the provider's callback); the
callback view then records the payment once, whatever how often the provider calls back.
Set ``BURON_PAYMENT_ADAPTER`` to the dotted path of the class to use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from buron.accounts.models import User

from .forms import OFFLINE_METHODS
from .models import Invoice, Payment, PaymentMethod
from .services import InvoiceRefused, payment_record


@dataclass(frozen=True)
class Checkout:
    """Where to send the payer for an online payment, and the provider's reference."""

    reference: str
    url: str


@dataclass(frozen=True)
class Confirmation:
    """What a provider's callback says: which invoice, how much, and whether it was paid."""

    invoice_id: int
    reference: str
    amount: Decimal
    paid: bool


class PaymentAdapter(Protocol):
    """How an invoice gets paid."""

    online: bool

    def record(
        self,
        *,
        invoice: Invoice,
        amount: Decimal,
        method: str,
        paid_on: dt.date,
        reference: str = "",
        by: User | None = None,
    ) -> Payment: ...

    def checkout(self, *, invoice: Invoice, amount: Decimal, return_url: str = "") -> Checkout:
        """Where to send the payer to pay `amount` of the invoice by card; the provider
        sends them back to return_url and calls the payment callback."""
        ...

    def verify(self, *, payload: dict[str, Any]) -> Confirmation:
        """Read a provider's callback; raises InvoiceRefused when it is not genuine."""
        ...


class OfflinePayments:
    """Payments made at the desk, by transfer, by cheque or at the public cash office."""

    online = False

    def record(
        self,
        *,
        invoice: Invoice,
        amount: Decimal,
        method: str,
        paid_on: dt.date,
        reference: str = "",
        by: User | None = None,
    ) -> Payment:
        if method not in OFFLINE_METHODS:
            raise InvoiceRefused(_("This way of paying is not offered here."), code="method")
        return payment_record(
            invoice=invoice,
            amount=amount,
            method=method,
            paid_on=paid_on,
            reference=reference,
            by=by,
        )

    def checkout(self, *, invoice: Invoice, amount: Decimal, return_url: str = "") -> Checkout:
        raise InvoiceRefused(_("Online payment is not offered here."), code="offline")

    def verify(self, *, payload: dict[str, Any]) -> Confirmation:
        raise InvoiceRefused(_("Online payment is not offered here."), code="offline")


def payment_adapter() -> PaymentAdapter:
    """The configured adapter (offline by default)."""
    path = getattr(settings, "BURON_PAYMENT_ADAPTER", "buron.billing.payments.OfflinePayments")
    adapter: PaymentAdapter = import_string(path)()
    return adapter


def payment_confirm(*, adapter: PaymentAdapter, payload: dict[str, Any], today: dt.date) -> Payment:
    """Record what an online provider's callback confirms, once: a callback repeated with
    the same reference returns the payment already recorded."""
    confirmation = adapter.verify(payload=payload)
    if not confirmation.paid:
        raise InvoiceRefused(_("The payment was not accepted."), code="declined")
    existing = Payment.objects.filter(
        method=PaymentMethod.CARD, reference=confirmation.reference
    ).first()
    if existing is not None:
        return existing
    invoice = Invoice.objects.get(pk=confirmation.invoice_id)
    return payment_record(
        invoice=invoice,
        amount=confirmation.amount,
        method=PaymentMethod.CARD,
        paid_on=today,
        reference=confirmation.reference,
    )
