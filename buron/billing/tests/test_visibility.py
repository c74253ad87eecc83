"""Who sees which invoice, on the pages and over the API: a member their own, a manager
their organisation's, a network administrator their network's, a superuser all; nobody
else, and a network never another's. Two networks, A and B."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import UserFactory
from buron.billing import services
from buron.billing.models import Invoice
from buron.places.tests.factories import NetworkFactory

from .factories import OTHER_SIREN, desk_day, make_organisation, make_seller
from .helpers import xml_of

pytestmark = pytest.mark.django_db


@dataclass
class World:
    alice: User  # member of A
    bob: User  # member of B
    manager: User  # manages an organisation of A
    admin_a: User
    admin_b: User
    root: User
    alice_invoice: Invoice
    org_invoice: Invoice
    org_credit_note: Invoice
    bob_invoice: Invoice


@pytest.fixture
def world() -> World:
    net_a, net_b = NetworkFactory(slug="net-a"), NetworkFactory(slug="net-b")
    seller_a, seller_b = make_seller(net_a, prefix="NETA"), make_seller(net_b, prefix="NETB")
    alice, bob = UserFactory(email="alice@example.org"), UserFactory(email="bob@example.org")
    manager = UserFactory(email="manager@example.org")
    org = make_organisation(net_a)
    org.managers.add(manager)
    make_organisation(net_b, siren=OTHER_SIREN, siret="", vat_number="").managers.add(bob)
    admin_a, admin_b = (
        UserFactory(email="admin-a@example.org"),
        UserFactory(email="admin-b@example.org"),
    )
    StaffRole.objects.create(user=admin_a, network=net_a, role=Role.NETWORK_ADMIN)
    StaffRole.objects.create(user=admin_b, network=net_b, role=Role.NETWORK_ADMIN)
    root = User.objects.create_superuser("root@example.org", "x")
    alice_invoice = services.invoice_issue(
        seller=seller_a, lines=[desk_day()], customer_user=alice, render=False
    )
    org_invoice = services.invoice_issue(
        seller=seller_a, lines=[desk_day()], customer_organisation=org, render=False
    )
    org_credit_note = services.credit_note_issue(
        invoice=org_invoice, lines=[desk_day("1")], render=False
    )
    bob_invoice = services.invoice_issue(
        seller=seller_b, lines=[desk_day()], customer_user=bob, render=False
    )
    # PDFs are rendered on first download. A draft is nobody's to see outside the admin.
    services.invoice_draft_create(seller=seller_a, lines=[desk_day()], customer_user=alice)
    return World(
        alice,
        bob,
        manager,
        admin_a,
        admin_b,
        root,
        alice_invoice,
        org_invoice,
        org_credit_note,
        bob_invoice,
    )


def api_numbers(user: User) -> set[str]:
    token = api_token_create(user=user)
    response = Client().get("/api/v1/invoices", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    return {row["number"] for row in response.json()}


def api_pdf(user: User, invoice: Invoice) -> int:
    token = api_token_create(user=user)
    response = Client().get(
        f"/api/v1/invoices/{invoice.pk}/pdf", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        xml_of(response.content)
    return response.status_code


def test_each_person_lists_what_they_may_see(world):
    w = world
    assert api_numbers(w.alice) == {w.alice_invoice.number}
    assert api_numbers(w.manager) == {w.org_invoice.number, w.org_credit_note.number}
    assert api_numbers(w.admin_a) == {
        w.alice_invoice.number,
        w.org_invoice.number,
        w.org_credit_note.number,
    }
    assert api_numbers(w.admin_b) == {w.bob_invoice.number}
    assert api_numbers(w.bob) == {w.bob_invoice.number}
    assert api_numbers(w.root) == {
        w.alice_invoice.number,
        w.org_invoice.number,
        w.org_credit_note.number,
        w.bob_invoice.number,
    }


def test_the_list_gives_the_fields_of_each_invoice(world):
    token = api_token_create(user=world.manager)
    rows = Client().get("/api/v1/invoices", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    note = next(r for r in rows if r["kind"] == "credit_note")
    invoice = next(r for r in rows if r["kind"] == "invoice")
    assert set(invoice) >= {
        "id",
        "number",
        "kind",
        "issued_on",
        "customer",
        "total_excl_vat",
        "total_vat",
        "total_incl_vat",
        "status",
    }
    assert invoice["customer"] == "Fromageries du Plomb (démo)"
    assert invoice["total_excl_vat"] == "33.34" and invoice["total_incl_vat"] == "40.01"
    assert invoice["status"] == "due"
    assert note["credited_invoice"] == invoice["number"]


def test_the_pdf_is_given_to_who_may_see_it_and_404_to_others(world):
    w = world
    assert api_pdf(w.alice, w.alice_invoice) == 200
    assert api_pdf(w.admin_a, w.alice_invoice) == 200
    assert api_pdf(w.root, w.bob_invoice) == 200
    assert api_pdf(w.manager, w.org_credit_note) == 200
    assert api_pdf(w.alice, w.org_invoice) == 404
    assert api_pdf(w.bob, w.alice_invoice) == 404
    assert api_pdf(w.admin_b, w.alice_invoice) == 404
    assert api_pdf(w.manager, w.alice_invoice) == 404
    assert api_pdf(w.alice, Invoice(pk=999999)) == 404


def test_the_api_needs_a_token():
    assert Client().get("/api/v1/invoices").status_code == 401
    assert Client().get("/api/v1/invoices/1/pdf").status_code == 401


def _page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_s_page_lists_their_invoices_and_downloads_them(world):
    w = world
    client = _page_client(w.alice)
    page = client.get("/compte/factures/").content.decode()
    assert w.alice_invoice.number in page
    assert w.org_invoice.number not in page and w.bob_invoice.number not in page
    response = client.get(f"/compte/factures/{w.alice_invoice.pk}/pdf/")
    assert response.status_code == 200
    xml_of(response.content)
    assert client.get(f"/compte/factures/{w.bob_invoice.pk}/pdf/").status_code == 404
    assert client.get(f"/compte/factures/{w.org_invoice.pk}/pdf/").status_code == 404


def test_a_manager_s_page_shows_their_organisation_s_invoices(world):
    page = _page_client(world.manager).get("/compte/factures/").content.decode()
    assert world.org_invoice.number in page and world.org_credit_note.number in page
    assert world.alice_invoice.number not in page


def test_the_pages_need_a_login(world):
    response = Client().get(f"/compte/factures/{world.alice_invoice.pk}/pdf/")
    assert response.status_code == 302


def test_the_staff_list_shows_the_network_s_invoices_only(world):
    w = world
    page = _page_client(w.admin_a).get("/gestion-factures/").content.decode()
    assert w.alice_invoice.number in page and w.org_invoice.number in page
    assert w.bob_invoice.number not in page
    assert _page_client(w.alice).get("/gestion-factures/").status_code == 403
    assert _page_client(w.manager).get("/gestion-factures/").status_code == 403
