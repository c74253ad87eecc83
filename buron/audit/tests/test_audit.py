"""The staff audit log: every admin change recorded, read per network, kept past erasure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.services import member_close
from buron.accounts.tests.factories import totp_enrol
from buron.audit.models import AuditEntry
from buron.offers.models import Offer
from buron.places.models import Resource
from buron.places.tests.factories import (
    NetworkFactory,
    ResourceFactory,
    SiteFactory,
    site_admin_fields,
    site_admin_form,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long password"


def _network_admin(network, email: str) -> User:
    user = User.objects.create_user(email, PASSWORD, is_staff=True)
    StaffRole.objects.create(user=user, network=network, role=Role.NETWORK_ADMIN)
    totp_enrol(user)
    return user


@pytest.fixture
def network():
    return NetworkFactory(slug="cantal")


@pytest.fixture
def admin_client(client: Client, network) -> Client:
    client.force_login(_network_admin(network, "admin@example.org"))
    return client


def _offer_post(network, net_price: str) -> dict[str, str]:
    return {
        "network": str(network.pk),
        "kind": "day_pass",
        "name_fr": "Journée",
        "name_en": "",
        "net_price": net_price,
        "vat_rate": "20",
        "vat_exemption_reason": "",
        "vat_exemption_code": "",
        "category": "",
        "is_active": "on",
        "half_day_credits": "1",
        "day_credits": "2",
        "service": "",
        "position": "0",
    }


def _offer(network, name: str = "Journée") -> Offer:
    return Offer.objects.create(
        network=network, kind="day_pass", name_fr=name, net_price=Decimal("16.67")
    )


def test_an_offer_created_changed_and_deleted_is_recorded_with_before_and_after(
    admin_client: Client, network
):
    response = admin_client.post(reverse("admin:offers_offer_add"), _offer_post(network, "20"))
    assert response.status_code == 302, response.context["errors"]
    offer = Offer.objects.get(network=network)
    admin_client.post(
        reverse("admin:offers_offer_change", args=[offer.pk]), _offer_post(network, "22.50")
    )
    admin_client.post(reverse("admin:offers_offer_delete", args=[offer.pk]), {"post": "yes"})
    assert not Offer.objects.filter(pk=offer.pk).exists()

    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.model, e.object_id) for e in entries] == [
        ("create", "offers.offer", str(offer.pk)),
        ("change", "offers.offer", str(offer.pk)),
        ("delete", "offers.offer", str(offer.pk)),
    ]
    created, changed, deleted = entries
    assert created.before is None and created.after["net_price"] == "20.00"
    assert (changed.before["net_price"], changed.after["net_price"]) == ("20.00", "22.50")
    assert deleted.before["net_price"] == "22.50" and deleted.after is None
    admin = User.objects.get(email="admin@example.org")
    assert {e.actor_id for e in entries} == {admin.pk}
    assert {e.network_id for e in entries} == {network.pk}


def test_saving_without_a_change_records_nothing(admin_client: Client, network):
    offer = _offer(network)
    admin_client.post(
        reverse("admin:offers_offer_change", args=[offer.pk]), _offer_post(network, "16.67")
    )
    assert not AuditEntry.objects.exists()


def test_a_bulk_delete_records_each_row(admin_client: Client, network):
    offers = [_offer(network, name) for name in ("Journée", "Demi-journée")]
    response = admin_client.post(
        reverse("admin:offers_offer_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in offers], "post": "yes"},
    )
    assert response.status_code == 302
    assert sorted(AuditEntry.objects.values_list("object_id", "action")) == sorted(
        (str(p.pk), "delete") for p in offers
    )


def test_resource_changes_made_on_the_site_page_are_recorded(admin_client: Client, network):
    site = SiteFactory(network=network, slug="murat")
    desk = ResourceFactory(site=site, name="Poste 1")
    data = site_admin_form(
        site_admin_fields(network.pk, "murat"),
        resources=[
            {
                "id": str(desk.pk),
                "site": str(site.pk),
                "kind": "desk",
                "name": "Poste fenêtre",
                "capacity": "1",
                "booking_unit": "half_day",
                "is_active": "on",
            },
            {
                "site": str(site.pk),
                "kind": "desk",
                "name": "Poste 2",
                "capacity": "1",
                "booking_unit": "half_day",
                "is_active": "on",
            },
        ],
    )
    response = admin_client.post(reverse("admin:places_site_change", args=[site.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    added = Resource.objects.get(site=site, name="Poste 2")
    rows = {
        (e.model, e.object_id, e.action): e
        for e in AuditEntry.objects.filter(model="places.resource")
    }
    renamed = rows[("places.resource", str(desk.pk), "change")]
    assert (renamed.before["name"], renamed.after["name"]) == ("Poste 1", "Poste fenêtre")
    assert renamed.network_id == network.pk
    assert ("places.resource", str(added.pk), "create") in rows
    site_entry = AuditEntry.objects.get(model="places.site")
    assert site_entry.action == "change"
    assert site_entry.before["name"] != site_entry.after["name"]


def test_a_role_given_is_recorded_and_forgotten_with_its_holder(admin_client: Client, network):
    site = SiteFactory(network=network)
    holder = User.objects.create_user("newcomer@example.org", PASSWORD)
    response = admin_client.post(
        reverse("admin:accounts_staffrole_add"),
        {
            "user_email": "newcomer@example.org",
            "network": str(network.pk),
            "role": Role.SITE_HOST,
            "site": str(site.pk),
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="accounts.staffrole")
    assert entry.after["user_id"] == holder.pk
    assert "newcomer@example.org" in entry.object_repr

    member_close(user=holder)

    entry.refresh_from_db()
    assert entry.action == "create" and entry.after["role"] == "site_host"
    assert "newcomer@example.org" not in entry.object_repr
    assert "newcomer" not in str(entry.before) + str(entry.after)


def test_personal_fields_are_blanked_on_the_subjects_erasure(network):
    from buron.audit.services import audit_forget, audit_record

    member = User.objects.create_user("camille@example.org", PASSWORD)
    actor = _network_admin(network, "admin@example.org")
    role = StaffRole.objects.create(user=member, network=network, role=Role.NETWORK_ADMIN)
    entry = audit_record(
        actor=actor,
        obj=role,
        action="change",
        before={"note": "Camille, allergic", "user_id": member.pk},
        after={"note": "Camille", "user_id": member.pk},
        network_id=network.pk,
    )
    audit_forget(member)
    entry.refresh_from_db()
    assert entry.before == {"note": "—", "user_id": member.pk}
    assert entry.after == {"note": "—", "user_id": member.pk}


def test_an_erased_staff_member_s_entries_stay_but_no_longer_name_them(
    admin_client: Client, network
):
    admin_client.post(reverse("admin:offers_offer_add"), _offer_post(network, "20"))
    admin = User.objects.get(email="admin@example.org")
    member_close(user=admin)
    entry = AuditEntry.objects.get()
    assert entry.actor_id == admin.pk  # the same, now anonymous, account
    entry.actor.refresh_from_db()
    assert "admin@example.org" not in str(entry.actor)


def test_a_network_admin_reads_their_network_entries_only(client: Client, network):
    other = NetworkFactory(slug="lozere")
    mine_admin = _network_admin(network, "admin@example.org")
    other_admin = _network_admin(other, "admin@lozere.example")
    for user, net in ((mine_admin, network), (other_admin, other)):
        client.force_login(user)
        client.post(reverse("admin:offers_offer_add"), _offer_post(net, "20"))
    assert AuditEntry.objects.count() == 2

    client.force_login(mine_admin)
    response = client.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert [e.network_id for e in listed] == [network.pk]
    foreign = AuditEntry.objects.get(network=other)
    assert client.get(reverse("admin:audit_auditentry_change", args=[foreign.pk])).status_code in {
        302,
        404,
    }
    own = AuditEntry.objects.get(network=network)
    page = client.get(reverse("admin:audit_auditentry_change", args=[own.pk]))
    assert page.status_code == 200
    assert "20.00" in page.content.decode()


def test_nobody_edits_or_deletes_the_log(client: Client, network):
    admin = _network_admin(network, "admin@example.org")
    client.force_login(admin)
    client.post(reverse("admin:offers_offer_add"), _offer_post(network, "20"))
    entry = AuditEntry.objects.get()
    root = User.objects.create_superuser("root@example.org", PASSWORD)
    totp_enrol(root)
    client.force_login(root)
    delete = client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"action": "delete"})
    entry.refresh_from_db()
    assert entry.action == "create"
    assert AuditEntry.objects.count() == 1


def test_a_site_host_does_not_read_the_log(client: Client, network):
    site = SiteFactory(network=network)
    host = User.objects.create_user("host@example.org", PASSWORD, is_staff=True)
    StaffRole.objects.create(user=host, network=network, role=Role.SITE_HOST, site=site)
    client.force_login(host)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403


def test_a_role_given_on_an_account_page_belongs_to_the_role_network(client: Client, network):
    root = User.objects.create_superuser("root@example.org", PASSWORD)
    totp_enrol(root)
    client.force_login(root)
    person = User.objects.create_user("person@example.org", PASSWORD)
    data = {
        "email": person.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "staff_roles-TOTAL_FORMS": "1",
        "staff_roles-INITIAL_FORMS": "0",
        "staff_roles-MIN_NUM_FORMS": "0",
        "staff_roles-MAX_NUM_FORMS": "1000",
        "staff_roles-0-network": str(network.pk),
        "staff_roles-0-role": Role.NETWORK_ADMIN,
        "staff_roles-0-site": "",
    }
    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    entries = list(AuditEntry.objects.all())
    # The account itself is not recorded (it holds secrets); the role it was given is.
    assert [(e.model, e.action, e.network_id) for e in entries] == [
        ("accounts.staffrole", "create", network.pk)
    ]
    assert "password" not in str(entries[0].after)
