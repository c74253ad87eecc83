"""GET /api/v1/offers and /api/v1/rights."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import UserFactory
from buron.offers import services
from buron.offers.tests.factories import OfferFactory, carnet
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory(network=NetworkFactory(slug="cantal-api"), slug="murat")


def get(path: str, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(path, **headers)


def test_the_catalogue_gives_net_vat_and_incl_vat(site):
    OfferFactory(network=site.network, kind="day_pass", net_price=Decimal("16.67"))
    OfferFactory(network=site.network, kind="day_pass", is_active=False)
    token = api_token_create(user=UserFactory())
    response = get("/api/v1/offers", token)
    assert response.status_code == 200
    [offer] = response.json()
    assert offer["network"] == "cantal-api"
    assert (offer["price_excl_vat"], offer["vat_rate"], offer["price_incl_vat"]) == (
        "16.67",
        "20.00",
        "20.00",
    )


def test_the_catalogue_needs_a_token(site):
    assert get("/api/v1/offers", None).status_code == 401
    assert get("/api/v1/rights", None).status_code == 401


def test_a_network_without_a_published_site_is_not_shown(site):
    hidden = SiteFactory(network=NetworkFactory(slug="hidden"), is_published=False)
    OfferFactory(network=hidden.network)
    token = api_token_create(user=UserFactory())
    assert get("/api/v1/offers", token).json() == []


def test_my_rights_with_balance_and_ledger_and_nobody_elses(site):
    member, other = UserFactory(), UserFactory()
    offer = carnet(site.network, credits=4)
    right = services.right_grant(member=member, offer=offer, starts_on=timezone.localdate())
    services.right_grant(member=other, offer=offer, starts_on=timezone.localdate())
    response = get("/api/v1/rights", api_token_create(user=member))
    assert response.status_code == 200
    [found] = response.json()
    assert (found["id"], found["kind"], found["balance"], found["current"]) == (
        right.pk,
        "carnet",
        4,
        True,
    )
    assert [(e["kind"], e["credits"]) for e in found["ledger"]] == [("grant", 4)]
