"""Accounting exports of a period: CSV and XLSX tables, and the FEC journal (18 columns in
order, one balanced entry per invoice, credit note and payment)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
import tablib
from django.test import Client

from buron.accounts.models import Role, StaffRole
from buron.accounts.tests.factories import UserFactory
from buron.billing import exports, services
from buron.places.tests.factories import NetworkFactory

from .factories import desk_day, make_seller, training_day

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


@pytest.fixture
def admin(network):
    user = UserFactory(email="admin@example.org")
    StaffRole.objects.create(user=user, network=network, role=Role.NETWORK_ADMIN)
    return user


@pytest.fixture
def books(seller, organisation, member):
    invoice = services.invoice_issue(
        seller=seller,
        lines=[desk_day("3"), training_day()],
        customer_organisation=organisation,
        issued_on=dt.date(2026, 3, 5),
        render=False,
    )
    services.credit_note_issue(
        invoice=invoice, lines=[desk_day("1")], issued_on=dt.date(2026, 3, 6), render=False
    )
    small = services.invoice_issue(
        seller=seller,
        lines=[desk_day("1")],
        customer_user=member,
        issued_on=dt.date(2026, 3, 7),
        render=False,
    )
    services.payment_record(
        invoice=small, amount=Decimal("20.00"), method="desk", paid_on=dt.date(2026, 3, 8)
    )
    services.invoice_issue(  # outside the period
        seller=seller,
        lines=[desk_day()],
        customer_user=member,
        issued_on=dt.date(2026, 4, 1),
        render=False,
    )
    # Another network's invoice never shows in this network's exports.
    other = make_seller(NetworkFactory(slug="elsewhere"), prefix="ELSE")
    services.invoice_issue(
        seller=other,
        lines=[desk_day()],
        customer_user=member,
        issued_on=dt.date(2026, 3, 9),
        render=False,
    )
    return invoice


def test_the_invoices_table_lists_the_period_with_credit_notes_negative(admin, books):
    data = exports.invoices_table(user=admin, start=START, end=END)
    assert [row[0] for row in data] == [
        "CANTAL-2026-000001",
        "CANTAL-2026-000002",
        "CANTAL-2026-000003",
    ]
    note = data[1]
    assert note[1] == "credit_note" and note[6] == "CANTAL-2026-000001"
    assert Decimal(note[9]) == Decimal("-20.00")


def test_the_vat_table_sums_per_rate_less_credit_notes(admin, books):
    data = exports.vat_table(user=admin, start=START, end=END)
    rows = {Decimal(r[0]): (Decimal(r[1]), Decimal(r[2])) for r in data}
    # 20 %: 50.01 (+ 16.67 member) - 16.67 (credit) = 50.01; VAT 10.00 + 3.33 - 3.33
    assert rows[Decimal("20.00")] == (Decimal("50.01"), Decimal("10.00"))
    assert rows[Decimal("0.00")] == (Decimal("150.00"), Decimal("0.00"))


def test_the_fec_has_its_18_columns_in_order_and_balanced_entries(admin, books):
    text = exports.fec_text(user=admin, start=START, end=END)
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    assert tuple(rows[0]) == exports.FEC_COLUMNS
    assert rows[0][:4] == ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate"]
    assert len(exports.FEC_COLUMNS) == 18
    assert all(len(r) == 18 for r in rows[1:])
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in rows[1:]:
        totals[r[2]][0] += Decimal(r[11].replace(",", "."))
        totals[r[2]][1] += Decimal(r[12].replace(",", "."))
    # two invoices, one credit note, one payment; ELSE's invoice and April's are left out
    assert len(totals) == 4
    for debit, credit in totals.values():
        assert debit == credit and debit > 0
    pieces = {r[8] for r in rows[1:]}
    assert pieces == {"CANTAL-2026-000001", "CANTAL-2026-000002", "CANTAL-2026-000003"}
    note_lines = [r for r in rows[1:] if r[8] == "CANTAL-2026-000002"]
    customer = next(r for r in note_lines if r[4] == "411000")
    assert customer[11] == "0,00" and customer[12] == "20,00"  # a credit note credits 411


def test_a_broken_entry_would_be_seen(admin, books):
    lines = exports.fec_lines(user=admin, start=START, end=END)
    first = lines[0]
    assert sum(x.debit for x in lines if x.number == first.number) == sum(
        x.credit for x in lines if x.number == first.number
    )


def test_the_staff_downloads_csv_xlsx_and_fec(admin, books):
    client = Client()
    client.force_login(admin)
    query = f"?start={START}&end={END}"
    csv_response = client.get(f"/gestion-factures/export/invoices.csv{query}")
    assert csv_response.status_code == 200
    assert "CANTAL-2026-000003" in csv_response.content.decode()
    xlsx = client.get(f"/gestion-factures/export/payments.xlsx{query}")
    assert xlsx.status_code == 200
    book = tablib.Dataset().load(io.BytesIO(xlsx.content), format="xlsx")
    assert book[0][1] == "CANTAL-2026-000003"
    fec = client.get(f"/gestion-factures/export/fec.txt{query}")
    assert fec.content.decode().startswith("JournalCode\tJournalLib")
    assert client.get(f"/gestion-factures/export/nope.csv{query}").status_code == 400
    assert (
        client.get(
            "/gestion-factures/export/invoices.csv?start=2026-04-01&end=2026-03-01"
        ).status_code
        == 400
    )


def test_a_member_cannot_download_exports(member, books):
    client = Client()
    client.force_login(member)
    response = client.get(f"/gestion-factures/export/invoices.csv?start={START}&end={END}")
    assert response.status_code == 403
