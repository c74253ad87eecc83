"""Invoicing a session's funder through billing: a line per learner, VAT-exempt for a
registered training body (the exemption in the Factur-X XML), issued once, refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.billing.models import Invoice
from buron.billing.tests.factories import TRAINING_EXEMPTION, make_organisation, make_seller
from buron.billing.tests.helpers import NS, one, pdf_bytes, text_of, xml_of
from buron.core.testing.race import race
from buron.training import services
from buron.training.errors import TrainingRefused
from buron.training.models import FunderInvoice

from .conftest import DAY, NOW, at
from .test_attendance import _full_day

AFTER = at(DAY, 18)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def billed(site, france_travail):
    """The network's seller (a registered training body) and France Travail invoiced as an
    organisation of the network."""
    seller = make_seller(site.network)
    france_travail.billing_organisation = make_organisation(
        site.network, legal_name="France Travail Auvergne (démo)"
    )
    france_travail.save()
    return seller


def test_the_funder_is_invoiced_its_learners_hours_vat_exempt(
    people, session, trainer, admin, france_travail, billed
):
    _full_day(people, session, trainer)  # Jean, funded by France Travail: the morning, 3.5 h
    made = services.funder_invoice_issue(
        session=session, funder=france_travail, by=admin, now=AFTER
    )
    invoice = made.invoice
    assert invoice.status == "due" and invoice.number.startswith("CANTAL-")
    assert invoice.customer_name == "France Travail Auvergne (démo)"
    (line,) = invoice.lines.all()
    assert "Jean DUPONT (France Travail 1234567A)" in line.description
    assert (line.quantity, line.unit_price, line.net_amount) == (
        Decimal("3.5"),
        Decimal("50"),
        Decimal("175.00"),
    )
    assert line.vat_rate == 0 and line.vat_exemption_code == "VATEX-EU-132-1I"
    assert (line.service_start, line.service_end) == (DAY, DAY)
    assert invoice.total_incl_vat == Decimal("175.00") and invoice.total_vat == 0
    content = pdf_bytes(invoice)
    root = xml_of(content)  # valid against the Factur-X EN 16931 schema
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert one(root, f"{tax}/ram:CategoryCode") == "E"
    assert one(root, f"{tax}/ram:ExemptionReasonCode") == "VATEX-EU-132-1I"
    assert one(root, f"{tax}/ram:ExemptionReason") == TRAINING_EXEMPTION
    assert root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    text = text_of(content)
    assert "261-4-4°" in text
    assert "83150000115" in text  # the seller's training declaration number


def test_asking_again_returns_the_same_invoice(
    people, session, trainer, admin, france_travail, billed
):
    _full_day(people, session, trainer)
    first = services.funder_invoice_issue(
        session=session, funder=france_travail, by=admin, now=AFTER, render=False
    )
    again = services.session_invoice_funders(session=session, by=admin, now=AFTER, render=False)
    assert [m.pk for m in again] == [first.pk]
    assert Invoice.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_issue_one_invoice(
    people, session, trainer, admin, france_travail, billed
):
    _full_day(people, session, trainer)

    def issue():
        return services.funder_invoice_issue(
            session=session, funder=france_travail, by=admin, now=AFTER, render=False
        ).invoice_id

    wins, failures = race([issue, issue, issue])
    assert failures == [], failures
    assert len(set(wins)) == 1
    assert Invoice.objects.count() == 1 and FunderInvoice.objects.count() == 1
    assert connection.vendor in ("sqlite", "postgresql")


def test_without_a_declaration_number_the_standard_rate_applies(
    people, session, trainer, admin, france_travail, billed
):
    billed.training_declaration_number = ""
    billed.save()
    _full_day(people, session, trainer)
    invoice = services.funder_invoice_issue(
        session=session, funder=france_travail, by=admin, now=AFTER
    ).invoice
    (line,) = invoice.lines.all()
    assert line.vat_rate == Decimal("20") and not line.vat_exemption_code
    assert invoice.total_incl_vat == Decimal("210.00")
    header = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"
    assert one(xml_of(pdf_bytes(invoice)), header) == "S"


def test_the_price_per_learner_when_the_programme_says_so(
    people, session, trainer, admin, france_travail, billed, programme
):
    programme.invoice_basis = "session"
    programme.save()
    _full_day(people, session, trainer)
    invoice = services.funder_invoice_issue(
        session=session, funder=france_travail, by=admin, now=AFTER, render=False
    ).invoice
    (line,) = invoice.lines.all()
    assert (line.quantity, line.net_amount) == (Decimal("1"), Decimal("350.00"))


def _refused(**kwargs) -> str:
    with pytest.raises(TrainingRefused) as refused:
        services.funder_invoice_issue(**kwargs)
    return refused.value.code


def test_refusals_write_nothing(people, session, trainer, admin, france_travail, billed, site):
    _a, b = people
    args = {"session": session, "funder": france_travail, "by": admin, "render": False}
    morning = session.half_days.get(period="am")
    assert _refused(**args, now=at(DAY, 12)) == "not_over"
    from .test_attendance import countersign, sign

    sign(morning, b, at(DAY, 9, 3))
    sign(morning, people[0], at(DAY, 9, 4))
    countersign(morning, trainer)
    assert _refused(**args, now=AFTER) == "sheets_open"  # the afternoon is not countersigned
    host = UserFactory()
    StaffRoleFactory(user=host, network=site.network, role="site_host", site=site)
    for who in (host, trainer, b.learner):
        assert _refused(**{**args, "by": who}, now=AFTER) == "not_staff"
    organisation = france_travail.billing_organisation
    france_travail.billing_organisation = None
    france_travail.save()
    assert Invoice.objects.count() == 0 and FunderInvoice.objects.count() == 0
    france_travail.billing_organisation = organisation
    france_travail.save()
    services.session_cancel(session=session, by=admin, now=NOW)
    assert _refused(**args, now=AFTER) == "cancelled"
    assert Invoice.objects.count() == 0 and FunderInvoice.objects.count() == 0


def test_a_funder_without_organisation_or_learner_is_refused(
    people, session, trainer, admin, france_travail, training_body, site
):
    _full_day(people, session, trainer)
    make_seller(site.network)
    args = {"session": session, "by": admin, "render": False, "now": AFTER}
    assert _refused(funder=france_travail, **args) == "no_billing_organisation"
    training_body.billing_organisation = make_organisation(site.network)
    training_body.save()
    assert _refused(funder=training_body, **args) == "empty"
    assert Invoice.objects.count() == 0


def test_staff_invoice_from_the_session_page(
    people, session, trainer, admin, france_travail, billed, client: Client
):
    import time_machine

    _full_day(people, session, trainer)
    url = f"/en/formations/animation/sessions/{session.pk}/facturer/"
    client.force_login(trainer)
    assert client.post(url).status_code == 404
    client.force_login(admin)
    assert client.get(url).status_code == 405
    with time_machine.travel(AFTER + dt.timedelta(days=1), tick=False):
        client.force_login(admin)  # a session of the day it travelled to
        page = client.post(url, follow=True).content.decode()
        assert "Funders invoiced: CANTAL-2027-000001 (France Travail Murat)" in page
        client.post(url)
        home = client.get("/en/formations/animation/").content.decode()
    assert "CANTAL-2027-000001 (France Travail Murat)" in home
    assert Invoice.objects.count() == 1
