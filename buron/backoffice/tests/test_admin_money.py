"""The admin shows amounts as French money (« 10,00 € », never « 10.00 € ») and lets long
names wrap inside their list column."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from buron.accounts.models import User
from buron.accounts.tests.factories import totp_enrol
from buron.offers.models import Price
from buron.places.tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    root = User.objects.create_superuser("root@example.org", "a long secret 123")
    totp_enrol(root)
    client.force_login(root)
    return client


def test_the_price_list_shows_french_money(admin_client):
    Price.objects.create(network=NetworkFactory(), unit="half_day", amount=Decimal("10"))
    page = admin_client.get(reverse("admin:offers_price_changelist"), secure=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "10,00\u00a0€" in text
    assert "10.00 €" not in text and "10.00\u00a0€" not in text
    assert "css/admin-lists.css" in text


def test_a_price_reads_as_money_in_each_language(db):
    price = Price(network=NetworkFactory(), unit="day", resource_kind="desk", amount=Decimal("20"))
    with translation.override("fr"):
        assert "20,00\u00a0€" in str(price)
    with translation.override("en"):
        assert "€20.00" in str(price)
