"""The catalogue in the scoped admin: a network's administrators manage its offers; hosts
read them and their site's sales; other networks see nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.tests.factories import UserFactory, totp_enrol
from buron.offers import services
from buron.offers.models import Offer
from buron.offers.tests.factories import carnet
from buron.places.models import Site
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def murat() -> Site:
    return SiteFactory(network=NetworkFactory(slug="cantal"), slug="murat")


@pytest.fixture
def mende() -> Site:
    return SiteFactory(network=NetworkFactory(slug="lozere"), slug="mende")


def staff(client: Client, email: str, **role: object) -> Client:
    user = User.objects.create_user(email, "a long password", is_staff=True)
    StaffRole.objects.create(user=user, **role)
    totp_enrol(user)
    client.force_login(user)
    return client


def test_a_network_admin_adds_an_offer_to_their_network_only(client, murat, mende):
    staff(client, "admin@example.org", network=murat.network, role=Role.NETWORK_ADMIN)
    url = reverse("admin:offers_offer_add")
    body = {
        "network": murat.network.pk,
        "kind": "day_pass",
        "name_fr": "Journée",
        "net_price": "16.67",
        "vat_rate": "20",
        "half_day_credits": 1,
        "day_credits": 2,
        "position": 0,
        "is_active": "on",
    }
    assert client.post(url, {**body, "network": mende.network.pk}).status_code == 200
    assert client.post(url, {**body, "sites": [mende.pk]}).status_code == 200
    assert client.post(url, {**body, "vat_rate": "0"}).status_code == 200
    assert not Offer.objects.exists()
    assert client.post(url, body).status_code == 302
    assert Offer.objects.get().network == murat.network


def test_another_networks_offers_and_sales_do_not_exist_for_an_admin(client, murat, mende):
    offer = carnet(mende.network)
    host = UserFactory()
    StaffRole.objects.create(user=host, network=mende.network, site=mende, role=Role.SITE_HOST)
    sale = services.sale_record(
        site=mende, member=UserFactory(), offers=[(offer, 1)], payment_method="desk", sold_by=host
    )
    staff(client, "admin@example.org", network=murat.network, role=Role.NETWORK_ADMIN)
    assert client.get(reverse("admin:offers_offer_change", args=[offer.pk])).status_code == 302
    assert client.get(reverse("admin:offers_sale_change", args=[sale.pk])).status_code == 302
    assert str(offer) not in client.get(reverse("admin:offers_offer_changelist")).content.decode()


def test_a_host_reads_the_catalogue_and_their_sites_sales_only(client, murat):
    other = SiteFactory(network=murat.network, slug="ydes")
    offer = carnet(murat.network)
    seller = UserFactory()
    StaffRole.objects.create(user=seller, network=murat.network, role=Role.NETWORK_ADMIN)
    here = services.sale_record(
        site=murat, member=UserFactory(), offers=[(offer, 1)], payment_method="desk", sold_by=seller
    )
    there = services.sale_record(
        site=other,
        member=UserFactory(),
        offers=[(offer, 1)],
        payment_method="cheque",
        sold_by=seller,
    )
    staff(client, "host@example.org", network=murat.network, site=murat, role=Role.SITE_HOST)
    assert client.get(reverse("admin:offers_offer_change", args=[offer.pk])).status_code == 200
    response = client.post(
        reverse("admin:offers_offer_change", args=[offer.pk]), {"name_fr": "changed"}
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:offers_sale_change", args=[here.pk])).status_code == 200
    assert client.get(reverse("admin:offers_sale_change", args=[there.pk])).status_code == 302
