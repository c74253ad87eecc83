"""Revenue by kind of offer and by payer on a small history built by hand (the world of
test_summary, period 1–5 March 2027), each figure worked out below; who sees what.

Sales (excl. VAT):           Murat 2 March carnet 75.00; Allanche 3 March subscription
                             50.00; Murat 28 February day pass 999.00 (before the period);
                             Mende (Lozère) 2 March day pass 20.00.
Cantal's invoices:           3 March to a training funder: a training 400.00 (exempt as
                             training) → training funder; 3 March to a member 100.00
                             (invoices a sale: left out); 4 March to the employer: 2 days at
                             16.67 and 3 half-days at 10.00 = 63.34 → employer, contract
                             days; 5 March credit note of 1 day 16.67 → −16.67; a draft of
                             500.00 (not issued: left out); 6 March to the employer 40.00
                             (after the period).
Lozère's invoices:           4 March to its employer 70.00.

Cantal's administrator:  carnet 75.00, subscription 50.00, contract days 63.34 − 16.67 =
46.67, trainings 400.00; individual members 125.00, employers 46.67, training funders
400.00, other 0.00; total 571.67.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from buron.accounts.models import Role, User
from buron.accounts.tests.factories import UserFactory
from buron.billing.services import credit_note_issue, invoice_draft_create, invoice_issue
from buron.billing.tests.factories import (
    OTHER_SIREN,
    desk_day,
    make_organisation,
    make_seller,
    training_day,
)
from buron.observatory.revenue import revenue_for
from buron.offers.models import OfferKind, Sale, SaleLine
from buron.offers.tests.factories import OfferFactory
from buron.places.models import Site

from .test_summary import staff

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
START, END = dt.date(2027, 3, 1), dt.date(2027, 3, 5)
PERIOD = "?start=2027-03-01&end=2027-03-05"


def _sale(site: Site, member: User, kind: str, amount: str, day: dt.date) -> None:
    offer = OfferFactory(network=site.network, kind=kind)
    net = Decimal(amount)
    sale = Sale.objects.create(
        network=site.network,
        site=site,
        member=member,
        payment_method="desk",
        total_excl_vat=net,
        total_vat=Decimal("0"),
        total_incl_vat=net,
    )
    SaleLine.objects.create(
        sale=sale,
        offer=offer,
        description="x",
        unit_price_excl_vat=net,
        vat_rate=Decimal("0"),
        amount_excl_vat=net,
        vat=Decimal("0"),
        amount_incl_vat=net,
    )
    # Late in the evening, Paris time: still that day.
    moment = dt.datetime.combine(day, dt.time(23, 30), tzinfo=PARIS)
    Sale.objects.filter(pk=sale.pk).update(created_at=moment)


@pytest.fixture
def sales_and_invoices(world):
    member = UserFactory(email="buyer@example.org")
    _sale(world["murat"], member, OfferKind.CARNET, "75.00", dt.date(2027, 3, 2))
    _sale(world["allanche"], member, OfferKind.SUBSCRIPTION, "50.00", dt.date(2027, 3, 3))
    _sale(world["murat"], member, OfferKind.DAY_PASS, "999.00", dt.date(2027, 2, 28))
    _sale(world["mende"], member, OfferKind.DAY_PASS, "20.00", dt.date(2027, 3, 2))
    seller = make_seller(world["cantal"])
    employer = make_organisation(world["cantal"])
    funder = make_organisation(
        world["cantal"],
        legal_name="Organisme financeur",
        siren=OTHER_SIREN,
        siret="",
        vat_number="",
    )
    lozere_seller = make_seller(world["mende"].network, prefix="LOZERE")
    lozere_employer = make_organisation(world["mende"].network)
    with time_machine.travel(dt.datetime(2027, 3, 8, 9, tzinfo=PARIS), tick=False):
        training = dataclasses.replace(training_day(), unit_price=Decimal("400.00"))
        invoice_issue(
            seller=seller,
            customer_organisation=funder,
            lines=[training],
            issued_on=dt.date(2027, 3, 3),
            render=False,
        )
        invoice_issue(
            seller=seller,
            customer_user=member,
            lines=[desk_day("1", "100.00")],
            issued_on=dt.date(2027, 3, 3),
            render=False,
        )
        days = invoice_issue(
            seller=seller,
            customer_organisation=employer,
            lines=[desk_day("2", "16.67"), desk_day("3", "10.00")],
            issued_on=dt.date(2027, 3, 4),
            render=False,
        )
        credit_note_issue(
            invoice=days,
            lines=[desk_day("1", "16.67")],
            issued_on=dt.date(2027, 3, 5),
            render=False,
        )
        invoice_draft_create(
            seller=seller, customer_organisation=employer, lines=[desk_day("1", "500.00")]
        )
        invoice_issue(
            seller=seller,
            customer_organisation=employer,
            lines=[desk_day("1", "40.00")],
            issued_on=dt.date(2027, 3, 6),
            render=False,
        )
        invoice_issue(
            seller=lozere_seller,
            customer_organisation=lozere_employer,
            lines=[desk_day("1", "70.00")],
            issued_on=dt.date(2027, 3, 4),
            render=False,
        )
    return world


def test_it_counts_sales_and_invoices_net_of_credit_notes_by_kind_and_payer(sales_and_invoices):
    world = sales_and_invoices
    cantal = Site.objects.filter(network=world["cantal"])
    revenue = revenue_for(sites=cantal, network_ids=[world["cantal"].pk], start=START, end=END)
    assert revenue.by_kind() == {
        "carnet": Decimal("75.00"),
        "subscription": Decimal("50.00"),
        "contract_days": Decimal("46.67"),
        "training": Decimal("400.00"),
    }
    assert revenue.by_payer() == {
        "individual": Decimal("125.00"),
        "employer": Decimal("46.67"),
        "training_funder": Decimal("400.00"),
        "other": Decimal("0"),
    }
    assert revenue.total == Decimal("571.67")


def test_without_the_network_s_invoices_only_the_sites_sales_count(sales_and_invoices):
    world = sales_and_invoices
    murat = Site.objects.filter(pk=world["murat"].pk)
    revenue = revenue_for(sites=murat, network_ids=[], start=START, end=END)
    assert revenue.by_kind() == {"carnet": Decimal("75.00")}
    assert revenue.total == Decimal("75.00")
    assert not revenue.invoices_counted


def _revenue_rows(client, user, query=PERIOD, table="revenue-payer"):
    with time_machine.travel(dt.datetime(2027, 3, 8, 9, tzinfo=PARIS), tick=False):
        client.force_login(user)
        response = client.get(f"/observatoire/export/{table}.csv{query}")
    assert response.status_code == 200
    return {row[0]: row[1] for row in list(csv.reader(io.StringIO(response.content.decode())))[1:]}


def test_a_network_administrator_sees_the_network_s_revenue(client, sales_and_invoices):
    admin = staff(
        "admin@example.org", network=sales_and_invoices["cantal"], role=Role.NETWORK_ADMIN
    )
    assert _revenue_rows(client, admin, table="revenue-kind") == {
        "Carnet de crédits": "75.00",
        "Abonnement mensuel": "50.00",
        "Jours facturés aux organisations": "46.67",
        "Formations": "400.00",
    }
    assert _revenue_rows(client, admin) == {
        "Membres (particuliers)": "125.00",
        "Employeurs": "46.67",
        "Financeurs de formation": "400.00",
        "Autres payeurs": "0",
    }
    # A chosen site: its sales only (invoices are not per site).
    assert _revenue_rows(client, admin, PERIOD + "&site=murat") == {
        "Membres (particuliers)": "75.00"
    }


def test_a_host_sees_their_sites_sales_and_no_invoice(client, sales_and_invoices):
    host = staff(
        "host@example.org",
        network=sales_and_invoices["cantal"],
        site=sales_and_invoices["murat"],
        role=Role.SITE_HOST,
    )
    assert _revenue_rows(client, host) == {"Membres (particuliers)": "75.00"}
    with time_machine.travel(dt.datetime(2027, 3, 8, 9, tzinfo=PARIS), tick=False):
        page = client.get("/observatoire/" + PERIOD).content.decode()
    assert '<th scope="row">Employeurs</th>' not in page
    assert "Financeurs de formation" not in page and "Jours facturés" not in page
    assert '<th scope="row">Membres (particuliers)</th>' in page
    assert "400,00" not in page and "400.00" not in page and "50,00" not in page


def test_a_superuser_sees_every_network_s_revenue(client, sales_and_invoices):
    root = User.objects.get(email="blocker@example.org")
    rows = _revenue_rows(client, root)
    # Sales 75 + 50 + 20; employers 46.67 (Cantal) + 70.00 (Lozère).
    assert rows["Membres (particuliers)"] == "145.00"
    assert rows["Employeurs"] == "116.67"


def test_the_yearly_report_has_the_revenue(client, sales_and_invoices):
    admin = staff(
        "admin@example.org", network=sales_and_invoices["cantal"], role=Role.NETWORK_ADMIN
    )
    with time_machine.travel(dt.datetime(2027, 3, 8, 9, tzinfo=PARIS), tick=False):
        client.force_login(admin)
        response = client.get("/en/observatoire/rapport-2027.pdf")
    assert response.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Revenue excl. VAT by payer" in text
    assert "Training funders" in text and "400.00" in text
    # The whole year: 75 + 50 + 999 (February) of sales; 46.67 + 40.00 of contract days.
    assert "1124.00" in text and "86.67" in text
