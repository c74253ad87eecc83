"""The employer manager's page (their employees' days against the contract per month, per
employee and per site, and the organisation's invoices) and who may not read it; the admin
of contracts and employees, scoped by network."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from buron.accounts.models import Role, StaffRole
from buron.accounts.tests.factories import UserFactory, totp_enrol
from buron.billing.employer_invoicing import employer_invoicing_run
from buron.billing.models import Invoice
from buron.billing.tests.factories import make_organisation, make_seller
from buron.employers.models import EmployerContract, Employment, InvoicingRun
from buron.places.tests.factories import NetworkFactory

from .conftest import employee_of, make_contract
from .test_invoicing import MARCH, use

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(site, other_site, seller, employer, employee):
    contract = make_contract(employer, days_per_month=Decimal("2"))
    use(contract, employee, site, dt.date(2027, 3, 2))
    use(contract, employee, other_site, dt.date(2027, 3, 3), "am")
    use(contract, employee, site, dt.date(2027, 3, 4))
    employee_of(employer, "idle@example.org", first_name="Inès", last_name="Calvet")
    employer_invoicing_run(network_id=site.network_id, month=MARCH, issued_on=dt.date(2027, 4, 1))
    return contract


@pytest.fixture
def manager(employer):
    user = UserFactory(email="boss@example.org", first_name="Hélène", last_name="Bos")
    employer.managers.add(user)
    return user


def test_a_manager_reads_the_month_per_employee_and_site_and_the_invoices(
    client, month, manager, employer
):
    client.force_login(manager)
    assert client.get("/employeur/").url == f"/employeur/{employer.pk}/"
    page = client.get(f"/employeur/{employer.pk}/", {"mois": "2027-03"}).content.decode()
    assert "Salomé Vidal" in page and "Inès Calvet" in page
    assert "2,5 / 2" in page and "au-delà du quota" in page
    assert (
        "Télécentre de Murat&nbsp;: 2" in page and "Télécentre d&#x27;Allanche&nbsp;: 0,5" in page
    )
    invoice = Invoice.objects.get()
    assert invoice.number in page and f"/compte/factures/{invoice.pk}/pdf/" in page
    # Another month has no day used yet; a month it cannot read falls back to this one.
    april = client.get(f"/employeur/{employer.pk}/", {"mois": "2027-04"}).content.decode()
    assert "0 / 2" in april
    refused = client.get(f"/employeur/{employer.pk}/", {"mois": "mars"})
    assert refused.status_code == 200 and "AAAA-MM" in refused.content.decode()


def test_a_manager_of_another_organisation_and_a_member_get_nothing(
    client, month, employer, employee, other_employer
):
    other_manager = UserFactory(email="other@example.org")
    other_employer.managers.add(other_manager)
    client.force_login(other_manager)
    assert client.get(f"/employeur/{employer.pk}/").status_code == 404
    assert client.get(f"/employeur/{other_employer.pk}/").status_code == 200
    invoice = Invoice.objects.get(customer_organisation=employer)
    assert client.get(f"/compte/factures/{invoice.pk}/pdf/").status_code == 404
    client.force_login(employee)
    assert client.get("/employeur/").status_code == 403
    assert client.get(f"/employeur/{employer.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/employeur/{employer.pk}/").status_code == 302


def test_the_manager_downloads_the_invoice(client, month, manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager)
    invoice = Invoice.objects.get()
    response = client.get(f"/compte/factures/{invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.fixture
def admin_client(site) -> Client:
    user = UserFactory(email="admin@example.org", is_staff=True)
    StaffRole.objects.create(user=user, network=site.network, role=Role.NETWORK_ADMIN)
    client = Client()
    totp_enrol(user)
    client.force_login(user)
    return client


def test_a_network_admin_makes_a_contract_and_links_an_employee(admin_client, site, employer):
    response = admin_client.post(
        "/admin/employers/employercontract/add/",
        {
            "network": site.network_id,
            "organisation": employer.pk,
            "reference": "C-1",
            "sites": [site.pk],
            "days_per_month": "4.5",
            "half_day_price": "8.33",
            "day_price": "16.67",
            "vat_rate": "20",
            "vat_exemption_reason": "",
            "starts_on": "2027-01-01",
            "ends_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = EmployerContract.objects.get()
    assert list(contract.sites.all()) == [site] and contract.days_per_month == Decimal("4.5")
    member = UserFactory(email="new@example.org")
    response = admin_client.post(
        "/admin/employers/employment/add/",
        {"organisation": employer.pk, "member_email": "NEW@example.org", "pays_by_default": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Employment.objects.get().member == member


def test_the_admin_refuses_a_bad_contract_and_writes_nothing(admin_client, site, employer):
    make_contract(employer)
    response = admin_client.post(
        "/admin/employers/employercontract/add/",
        {
            "network": site.network_id,
            "organisation": employer.pk,
            "days_per_month": "2.3",
            "half_day_price": "-1",
            "day_price": "16.67",
            "vat_rate": "0",
            "vat_exemption_reason": "",
            "starts_on": "2027-02-01",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Comptez les jours par moitiés" in page
    assert EmployerContract.objects.count() == 1
    response = admin_client.post(
        "/admin/employers/employment/add/",
        {"organisation": employer.pk, "member_email": "nobody@example.org"},
    )
    assert response.status_code == 200 and not Employment.objects.exists()


def test_a_network_admin_sees_only_their_network_and_follows_the_runs(
    admin_client, month, site, employer
):
    other = NetworkFactory(slug="ailleurs")
    make_seller(other, prefix="AILLEURS")
    theirs = make_contract(
        make_organisation(
            other, legal_name="Ailleurs SA", siren="732829320", siret="", vat_number=""
        )
    )
    assert (
        admin_client.get(f"/admin/employers/employercontract/{theirs.pk}/change/").status_code
        == 302
    )
    assert (
        admin_client.get(f"/admin/employers/employercontract/{month.pk}/change/").status_code == 200
    )
    runs = admin_client.get("/admin/employers/invoicingrun/").content.decode()
    assert "1 / 1" in runs
    assert InvoicingRun.objects.get().invoiced == 1
