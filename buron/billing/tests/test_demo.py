"""The demo's invoices: issued, credited and paid through the services, loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from buron.billing.models import Invoice, Payment, Status
from buron.demo.billing import demo_billing_load

from .helpers import xml_of

pytestmark = pytest.mark.django_db


def test_the_demo_has_invoices_a_credit_note_and_payments(network, member):
    count = demo_billing_load(
        network=network, member=member, manager=member, today=dt.date(2026, 5, 10)
    )
    assert count == 5
    assert Invoice.objects.filter(kind="credit_note").count() == 1
    assert Payment.objects.count() == 2
    statuses = set(Invoice.objects.filter(kind="invoice").values_list("status", flat=True))
    assert statuses == {Status.PAID, Status.DUE}
    again = demo_billing_load(
        network=network, member=member, manager=member, today=dt.date(2026, 5, 10)
    )
    assert again == 5
    from buron.billing.services import invoice_pdf_render

    sale = Invoice.objects.get(customer_user=member, kind="invoice")
    rendered = invoice_pdf_render(invoice=sale)
    with rendered.pdf.open("rb") as handle:
        xml_of(handle.read())
