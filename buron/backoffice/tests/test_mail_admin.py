"""Mail items in the scoped admin: a site's host sees and records only their site's mail,
for members domiciled there; another site's or network's mail does not exist for them; bad
input is refused and writes nothing; handing over goes through the offers' service and the
audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory, totp_enrol
from buron.audit.models import AuditEntry
from buron.offers import services
from buron.offers.models import MailItem, Right
from buron.offers.tests.factories import OfferFactory
from buron.places.models import Site
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:offers_mailitem_add")
LIST = reverse("admin:offers_mailitem_changelist")


@pytest.fixture
def murat() -> Site:
    return SiteFactory(network=NetworkFactory(slug="cantal"), slug="murat", name="Murat")


@pytest.fixture
def ydes(murat: Site) -> Site:
    return SiteFactory(network=murat.network, slug="ydes", name="Ydes")


@pytest.fixture
def mende() -> Site:
    return SiteFactory(network=NetworkFactory(slug="lozere"), slug="mende", name="Mende")


def staff(client: Client, email: str, **role: Any) -> User:
    user = User.objects.create_user(email, "a long password", is_staff=True)
    if role.get("site") is not None:
        role["network"] = role["site"].network
    StaffRole.objects.create(user=user, **role)
    totp_enrol(user)
    client.force_login(user)
    return user


def domiciled(site: Site, email: str, **names: str) -> tuple[User, Right]:
    """A member holding a business address (domiciliation pack) bought at the site."""
    member = UserFactory(email=email, **names)
    offer = OfferFactory(
        network=site.network,
        kind="service_pack",
        service="domiciliation",
        validity_months=1,
        net_price=Decimal("25.00"),
    )
    seller = StaffRoleFactory(site=site, user__email=f"seller.{site.slug}@example.org").user
    sale = services.sale_record(
        site=site, member=member, offers=[(offer, 1)], payment_method="desk", sold_by=seller
    )
    return member, Right.objects.get(sale=sale)


def mail(site: Site, right: Right, sender: str) -> MailItem:
    by = StaffRole.objects.filter(site=site).first()
    assert by is not None
    return services.mail_record(
        right=right, site=site, by=by.user, received_on=timezone.localdate(), sender=sender
    )


def body(site: Site, email: str, **extra: object) -> dict[str, object]:
    return {
        "site": site.pk,
        "member_email": email,
        "kind": "registered",
        "sender": "URSSAF Auvergne",
        "received_on": str(timezone.localdate()),
        **extra,
    }


def test_a_site_host_sees_only_their_sites_mail(client, murat, ydes, mende):
    _member, here = domiciled(murat, "ana@example.org", last_name="Roux")
    _other, there = domiciled(ydes, "bea@example.org", last_name="Vidal")
    _far, far = domiciled(mende, "cle@example.org", last_name="Brun")
    mine = mail(murat, here, "Impots Murat")
    theirs = mail(ydes, there, "Impots Ydes")
    farther = mail(mende, far, "Impots Mende")
    staff(client, "host@murat.example", site=murat, role=Role.SITE_HOST)
    page = client.get(LIST)
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [mine]
    text = page.content.decode()
    assert "Impots Murat" in text and "Impots Ydes" not in text and "Impots Mende" not in text
    # Another site's or network's item does not exist for them, nor changes on a POST.
    for item in (theirs, farther):
        url = reverse("admin:offers_mailitem_change", args=[item.pk])
        assert client.get(url).status_code == 302
        client.post(url, {"kind": "parcel", "sender": "changed"})
        item.refresh_from_db()
        assert item.sender != "changed"
    # Search by the member's name or email, filters and the date hierarchy answer too.
    assert list(client.get(LIST, {"q": "roux"}).context["cl"].result_list) == [mine]
    assert list(client.get(LIST, {"q": "bea@example"}).context["cl"].result_list) == []
    assert client.get(LIST, {"handed_over_on__isempty": "1"}).status_code == 200
    day = timezone.localdate()
    hierarchy = client.get(LIST, {"received_on__year": day.year, "received_on__month": day.month})
    assert list(hierarchy.context["cl"].result_list) == [mine]


def test_a_network_admin_sees_their_networks_mail_only(client, murat, ydes, mende):
    _a, here = domiciled(murat, "ana@example.org")
    _b, there = domiciled(ydes, "bea@example.org")
    _c, far = domiciled(mende, "cle@example.org")
    items = {mail(murat, here, "A"), mail(ydes, there, "B")}
    mail(mende, far, "C")
    staff(client, "admin@cantal.example", network=murat.network, role=Role.NETWORK_ADMIN)
    assert set(client.get(LIST).context["cl"].result_list) == items


def test_a_host_records_mail_for_a_member_domiciled_at_their_site(client, murat):
    member, address = domiciled(murat, "ana@example.org")
    host = staff(client, "host@murat.example", site=murat, role=Role.SITE_HOST)
    response = client.post(ADD, body(murat, "ANA@example.org"))
    assert response.status_code == 302, response.content.decode()[:3000]
    item = MailItem.objects.get()
    assert (item.right, item.site, item.kind, item.sender) == (
        address,
        murat,
        "registered",
        "URSSAF Auvergne",
    )
    assert item.recorded_by == host
    entry = AuditEntry.objects.get(object_id=str(item.pk))
    assert (entry.action, entry.actor, entry.network_id) == ("create", host, murat.network_id)
    assert list(client.get(LIST).context["cl"].result_list) == [item]
    assert list(client.get(LIST, {"q": member.email}).context["cl"].result_list) == [item]


def test_a_host_cannot_record_mail_for_another_networks_member(client, murat, mende):
    far_member, _far = domiciled(mende, "cle@example.org")
    staff(client, "host@murat.example", site=murat, role=Role.SITE_HOST)
    response = client.post(ADD, body(murat, far_member.email))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["member_email"] == [
        "Ce membre n'a pas de domiciliation valable dans ce lieu ce jour-là."
    ]
    # Nor name another network's site: it is not among the choices.
    refused = client.post(ADD, body(mende, far_member.email))
    assert "site" in refused.context["adminform"].form.errors
    assert not MailItem.objects.exists()


def test_a_host_cannot_record_mail_at_another_site_of_the_network(client, murat, ydes):
    _member, _address = domiciled(ydes, "bea@example.org")
    staff(client, "host@murat.example", site=murat, role=Role.SITE_HOST)
    response = client.post(ADD, body(ydes, "bea@example.org"))
    assert response.status_code == 200
    assert "site" in response.context["adminform"].form.errors
    assert not MailItem.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"member_email": "nobody@example.org"}, "member_email"),
        ({"member_email": "not an address"}, "member_email"),
        ({"received_on": "31/02/2027"}, "received_on"),
        ({"received_on": ""}, "received_on"),
        ({"kind": "pigeon"}, "kind"),
        ({"sender": "x" * 201}, "sender"),
        # Outside the address's validity.
        ({"received_on": str(timezone.localdate() - dt.timedelta(days=400))}, "member_email"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(client, murat, change, field):
    domiciled(murat, "ana@example.org")
    staff(client, "host@murat.example", site=murat, role=Role.SITE_HOST)
    response = client.post(ADD, body(murat, "ana@example.org", **change))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not MailItem.objects.exists()


def test_mail_for_a_member_without_a_business_address_is_refused(client, murat):
    UserFactory(email="dan@example.org")
    staff(client, "host@murat.example", site=murat, role=Role.SITE_HOST)
    response = client.post(ADD, body(murat, "dan@example.org"))
    assert response.status_code == 200
    assert "member_email" in response.context["adminform"].form.errors
    assert not MailItem.objects.exists()


def test_handing_over_goes_through_the_service_once_and_is_audited(client, murat, ydes):
    _a, here = domiciled(murat, "ana@example.org")
    _b, there = domiciled(ydes, "bea@example.org")
    mine, theirs = mail(murat, here, "A"), mail(ydes, there, "B")
    host = staff(client, "host@murat.example", site=murat, role=Role.SITE_HOST)
    # Another site's item slipped into the POST is not handed over.
    response = client.post(
        LIST, {"action": "hand_over", "_selected_action": [mine.pk, theirs.pk]}, follow=True
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.handed_over_on == timezone.localdate()
    assert theirs.handed_over_on is None
    entry = AuditEntry.objects.get(object_id=str(mine.pk), action="change")
    assert entry.actor == host
    # Once: a second hand-over changes nothing and records nothing.
    client.post(LIST, {"action": "hand_over", "_selected_action": [mine.pk]})
    assert AuditEntry.objects.filter(object_id=str(mine.pk), action="change").count() == 1


def test_a_recorded_item_is_corrected_not_deleted(client, murat):
    _a, here = domiciled(murat, "ana@example.org")
    item = mail(murat, here, "URSAF")
    staff(client, "host@murat.example", site=murat, role=Role.SITE_HOST)
    url = reverse("admin:offers_mailitem_change", args=[item.pk])
    assert client.post(url, {"kind": "parcel", "sender": "URSSAF"}).status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.sender, item.right) == ("parcel", "URSSAF", here)
    assert client.post(url, {"kind": "parcel", "sender": "x" * 201}).status_code == 200
    delete = reverse("admin:offers_mailitem_delete", args=[item.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert MailItem.objects.filter(pk=item.pk).exists()


def test_staff_without_a_role_and_members_see_no_mail(client, murat):
    _a, here = domiciled(murat, "ana@example.org")
    mail(murat, here, "A")
    user = User.objects.create_user("staff@example.org", "a long password", is_staff=True)
    totp_enrol(user)
    client.force_login(user)
    assert client.get(LIST).status_code == 403
    assert client.post(ADD, body(murat, "ana@example.org")).status_code == 403
    assert MailItem.objects.count() == 1
