"""Payments: partial ones, what remains due, refusals (more than due, twice, a draft), the
offline adapter, and a fake card provider calling back a local URL."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from buron.billing import services
from buron.billing.models import Invoice, Payment, Status
from buron.billing.payments import (
    Checkout,
    Confirmation,
    OfflinePayments,
    payment_adapter,
)
from buron.billing.services import InvoiceRefused

from .factories import desk_day

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 20)


@pytest.fixture
def invoice(seller, member) -> Invoice:
    # 2 × 16.67 = 33.34 excl. VAT, 6.67 VAT, 40.01 incl. VAT
    return services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_user=member, render=False
    )


def test_partial_payments_leave_what_remains_due_then_pay_it(invoice):
    adapter = OfflinePayments()
    adapter.record(invoice=invoice, amount=Decimal("15.00"), method="cheque", paid_on=DAY)
    invoice.refresh_from_db()
    assert invoice.status == Status.DUE
    assert services.invoice_remaining(invoice=invoice) == Decimal("25.01")
    adapter.record(invoice=invoice, amount=Decimal("25.01"), method="transfer", paid_on=DAY)
    invoice.refresh_from_db()
    assert invoice.status == Status.PAID
    assert services.invoice_remaining(invoice=invoice) == Decimal("0.00")


def test_paying_more_than_due_or_twice_is_refused(invoice):
    with pytest.raises(InvoiceRefused) as info:
        services.payment_record(
            invoice=invoice, amount=Decimal("40.02"), method="desk", paid_on=DAY
        )
    assert info.value.code == "over_payment"
    services.payment_record(invoice=invoice, amount=Decimal("40.01"), method="desk", paid_on=DAY)
    with pytest.raises(InvoiceRefused) as info:
        services.payment_record(
            invoice=invoice, amount=Decimal("40.01"), method="desk", paid_on=DAY
        )
    assert info.value.code == "nothing_due"
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_a_payment_is_positive(invoice, amount):
    with pytest.raises(InvoiceRefused):
        services.payment_record(invoice=invoice, amount=Decimal(amount), method="desk", paid_on=DAY)
    assert not Payment.objects.exists()


def test_a_reference_is_recorded_once(invoice):
    services.payment_record(
        invoice=invoice, amount=Decimal("10"), method="transfer", paid_on=DAY, reference="VIR-1"
    )
    with pytest.raises(InvoiceRefused) as info:
        services.payment_record(
            invoice=invoice, amount=Decimal("10"), method="transfer", paid_on=DAY, reference="VIR-1"
        )
    assert info.value.code == "duplicate"


def test_a_draft_or_a_credit_note_is_not_paid(seller, member, invoice):
    draft = services.invoice_draft_create(seller=seller, lines=[desk_day()], customer_user=member)
    note = services.credit_note_issue(invoice=invoice, lines=[desk_day("1")], render=False)
    for target in (draft, note):
        with pytest.raises(InvoiceRefused):
            services.payment_record(invoice=target, amount=Decimal("1"), method="desk", paid_on=DAY)


def test_a_credit_note_lowers_what_can_be_paid(invoice):
    services.credit_note_issue(invoice=invoice, lines=[desk_day("1")], render=False)
    with pytest.raises(InvoiceRefused):
        services.payment_record(
            invoice=invoice, amount=Decimal("40.01"), method="desk", paid_on=DAY
        )
    # 40.01 - (16.67 + 3.33) = 20.01
    services.payment_record(invoice=invoice, amount=Decimal("20.01"), method="desk", paid_on=DAY)
    invoice.refresh_from_db()
    assert invoice.status == Status.PAID


def test_the_offline_adapter_takes_offline_methods_only(invoice):
    adapter = payment_adapter()
    assert isinstance(adapter, OfflinePayments) and not adapter.online
    with pytest.raises(InvoiceRefused):
        adapter.record(invoice=invoice, amount=Decimal("1"), method="card", paid_on=DAY)
    with pytest.raises(InvoiceRefused):
        adapter.checkout(invoice=invoice, amount=Decimal("1"))
    adapter.record(invoice=invoice, amount=Decimal("1"), method="public_cash_office", paid_on=DAY)


SECRET = b"fake-provider-secret"


class FakeCardProvider(OfflinePayments):
    """A card provider as a test double: it signs its callbacks with a shared secret."""

    online = True

    def checkout(self, *, invoice: Invoice, amount: Decimal) -> Checkout:
        return Checkout(reference=f"fake-{invoice.pk}-{amount}", url="http://127.0.0.1/pay")

    @staticmethod
    def sign(fields: dict[str, str]) -> str:
        message = "|".join(f"{k}={fields[k]}" for k in sorted(fields))
        return hmac.new(SECRET, message.encode(), hashlib.sha256).hexdigest()

    def verify(self, *, payload: dict[str, Any]) -> Confirmation:
        fields = {k: v for k, v in payload.items() if k != "signature"}
        if not hmac.compare_digest(self.sign(fields), payload.get("signature", "")):
            raise InvoiceRefused("bad signature")
        return Confirmation(
            invoice_id=int(fields["invoice"]),
            reference=fields["reference"],
            amount=Decimal(fields["amount"]),
            paid=fields["status"] == "paid",
        )


def _callback(fields: dict[str, str], signature: str | None = None):
    body = {**fields, "signature": signature or FakeCardProvider.sign(fields)}
    return Client().post("/paiement/retour/", body)


def test_a_card_payment_is_recorded_once_from_the_provider_s_callback(invoice, settings):
    settings.BURON_PAYMENT_ADAPTER = f"{__name__}.FakeCardProvider"
    checkout = payment_adapter().checkout(invoice=invoice, amount=invoice.total_incl_vat)
    fields = {
        "invoice": str(invoice.pk),
        "reference": checkout.reference,
        "amount": "40.01",
        "status": "paid",
    }
    first = _callback(fields)
    assert first.status_code == 200
    again = _callback(fields)  # providers call back more than once
    assert again.status_code == 200 and again.content == first.content
    payment = Payment.objects.get()
    assert payment.method == "card" and payment.amount == Decimal("40.01")
    invoice.refresh_from_db()
    assert invoice.status == Status.PAID


def test_a_forged_or_declined_callback_records_nothing(invoice, settings):
    settings.BURON_PAYMENT_ADAPTER = f"{__name__}.FakeCardProvider"
    fields = {"invoice": str(invoice.pk), "reference": "x", "amount": "40.01", "status": "paid"}
    assert _callback(fields, signature="0" * 64).status_code == 400
    assert _callback({**fields, "status": "declined"}).status_code == 400
    assert not Payment.objects.exists()


def test_the_callback_is_closed_without_an_online_provider(invoice):
    assert Client().post("/paiement/retour/", {"invoice": str(invoice.pk)}).status_code == 404


def _staff(network):
    from buron.accounts.models import Role, StaffRole
    from buron.accounts.tests.factories import UserFactory

    user = UserFactory(email="admin@example.org")
    StaffRole.objects.create(user=user, network=network, role=Role.NETWORK_ADMIN)
    client = Client()
    client.force_login(user)
    return client


def test_a_network_admin_records_a_payment_at_the_desk(invoice, network):
    client = _staff(network)
    url = f"/gestion-factures/{invoice.pk}/paiement/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"amount": "40.01", "method": "cheque", "paid_on": "2026-03-20", "reference": "12"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.method, payment.reference) == (Decimal("40.01"), "cheque", "12")
    invoice.refresh_from_db()
    assert invoice.status == Status.PAID


@pytest.mark.parametrize(
    "data",
    [
        {"amount": "40.02", "method": "desk", "paid_on": "2026-03-20"},  # more than due
        {"amount": "0", "method": "desk", "paid_on": "2026-03-20"},
        {"amount": "10", "method": "card", "paid_on": "2026-03-20"},  # not an offline method
        {"amount": "10", "method": "desk", "paid_on": "tomorrow"},
    ],
)
def test_a_refused_payment_changes_nothing(invoice, network, data):
    client = _staff(network)
    response = client.post(f"/gestion-factures/{invoice.pk}/paiement/", data)
    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_only_the_network_s_admin_records_payments(invoice, member):
    from buron.places.tests.factories import NetworkFactory

    url = f"/gestion-factures/{invoice.pk}/paiement/"
    data = {"amount": "1", "method": "desk", "paid_on": "2026-03-20"}
    other_admin = _staff(NetworkFactory(slug="other-net"))
    assert other_admin.post(url, data).status_code == 404
    client = Client()
    client.force_login(member)
    assert client.post(url, data).status_code == 403
    assert not Payment.objects.exists()
