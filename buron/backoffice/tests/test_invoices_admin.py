"""The admin: issued invoices are read-only for everyone; drafts are issued by an action;
a network administrator sees only their network's invoices and seller."""

from __future__ import annotations

import pytest
from django.test import Client

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.tests.factories import UserFactory, totp_enrol
from buron.billing import services
from buron.billing.models import Invoice, Status
from buron.billing.tests.factories import desk_day, make_seller
from buron.places.tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def network(db):
    return NetworkFactory(slug="cantal-test", name="Cantal (test)")


@pytest.fixture
def seller(network):
    return make_seller(network)


@pytest.fixture
def member(db):
    return UserFactory(email="camille@example.org", first_name="Camille", last_name="Durand")


@pytest.fixture
def admin_client(network) -> Client:
    user = UserFactory(email="admin@example.org", is_staff=True)
    StaffRole.objects.create(user=user, network=network, role=Role.NETWORK_ADMIN)
    client = Client()
    totp_enrol(user)
    client.force_login(user)
    return client


@pytest.fixture
def root_client(db) -> Client:
    client = Client()
    root = User.objects.create_superuser("root@example.org", "x")
    totp_enrol(root)
    client.force_login(root)
    return client


def test_an_issued_invoice_cannot_be_changed_or_deleted_in_the_admin(root_client, seller, member):
    invoice = services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_user=member, render=False
    )
    url = f"/admin/billing/invoice/{invoice.pk}/change/"
    page = root_client.get(url)
    assert page.status_code == 200
    assert b'name="customer_name"' not in page.content  # read-only: no input
    root_client.post(url, {"customer_name": "Changed", "total_incl_vat": "1.00"})
    assert root_client.get(f"/admin/billing/invoice/{invoice.pk}/delete/").status_code == 403
    root_client.post(
        "/admin/billing/invoice/",
        {"action": "delete_selected", "_selected_action": [invoice.pk], "post": "yes"},
    )
    invoice.refresh_from_db()
    assert invoice.customer_name != "Changed"
    assert str(invoice.total_incl_vat) == "40.01"


def test_the_issue_action_issues_drafts_only(admin_client, seller, member):
    draft = services.invoice_draft_create(seller=seller, lines=[desk_day()], customer_user=member)
    admin_client.post(
        "/admin/billing/invoice/", {"action": "issue_drafts", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == Status.DUE and draft.number and draft.pdf
    number = draft.number
    admin_client.post(
        "/admin/billing/invoice/", {"action": "issue_drafts", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.number == number


def test_a_network_admin_sees_only_their_network(admin_client, seller, member):
    mine = services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_user=member, render=False
    )
    other_seller = make_seller(NetworkFactory(slug="other"), prefix="OTHER")
    theirs = services.invoice_issue(
        seller=other_seller, lines=[desk_day()], customer_user=member, render=False
    )
    page = admin_client.get("/admin/billing/invoice/").content.decode()
    assert mine.number in page and theirs.number not in page
    assert admin_client.get(f"/admin/billing/invoice/{theirs.pk}/change/").status_code == 302
    assert admin_client.get(f"/admin/billing/seller/{other_seller.pk}/change/").status_code == 302
    assert admin_client.get(f"/admin/billing/seller/{seller.pk}/change/").status_code == 200
    # The other network's draft is out of reach of the action too.
    draft = services.invoice_draft_create(
        seller=other_seller, lines=[desk_day()], customer_user=member
    )
    admin_client.post(
        "/admin/billing/invoice/", {"action": "issue_drafts", "_selected_action": [draft.pk]}
    )
    assert Invoice.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_seller_s_siret_and_vat_number_belong_to_its_siren(seller):
    from django.core.exceptions import ValidationError

    seller.siret, seller.vat_number = "40012345100017", "FR21400123451"
    with pytest.raises(ValidationError) as info:
        seller.full_clean()
    assert set(info.value.message_dict) == {"siret", "vat_number"}


def test_a_network_admin_sets_their_seller_in_the_admin(admin_client, seller):
    url = f"/admin/billing/seller/{seller.pk}/change/"
    data = {
        "network": seller.network_id,
        "legal_name": "New name",
        "legal_form": seller.legal_form,
        "siren": seller.siren,
        "siret": seller.siret,
        "vat_number": "FR00200012342",  # wrong key: refused
        "registration": "",
        "address_lines": seller.address_lines,
        "postcode": seller.postcode,
        "city": seller.city,
        "country": "FR",
        "email": "",
        "vat_scheme": "receipts",
        "payment_terms_days": "30",
        "late_penalty_rate": "12.00",
        "iban": "",
        "bic": "",
        "training_declaration_number": "",
        "number_prefix": "CANTAL",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    seller.refresh_from_db()
    assert seller.legal_name != "New name"
    response = admin_client.post(url, {**data, "vat_number": seller.vat_number})
    assert response.status_code == 302
    seller.refresh_from_db()
    assert seller.legal_name == "New name"
