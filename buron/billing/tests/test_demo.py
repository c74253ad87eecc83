"""The demo's sale invoice: issued and partly paid through the services, loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from buron.billing.models import Invoice, Payment, Status
from buron.demo.billing import demo_billing_load

from .helpers import xml_of

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_sale_invoice_partly_paid(network, member):
    count = demo_billing_load(
        network=network, member=member, manager=member, today=dt.date(2026, 5, 10)
    )
    # The member's sale, partly paid; the employer's monthly invoices, credit note and
    # payment come from its contract (buron.demo.employers, tested with the demo).
    assert count == 1
    assert Payment.objects.count() == 1
    statuses = set(Invoice.objects.filter(kind="invoice").values_list("status", flat=True))
    assert statuses == {Status.DUE}
    again = demo_billing_load(
        network=network, member=member, manager=member, today=dt.date(2026, 5, 10)
    )
    assert again == 1
    from buron.billing.services import invoice_pdf_render

    sale = Invoice.objects.get(customer_user=member, kind="invoice")
    rendered = invoice_pdf_render(invoice=sale)
    with rendered.pdf.open("rb") as handle:
        xml_of(handle.read())
