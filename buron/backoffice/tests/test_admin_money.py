"""The admin shows amounts as French money (« 10,00 € », never « 10.00 € ») and lets long
names wrap inside their list column."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from buron.accounts.models import User
from buron.accounts.tests.factories import totp_enrol
from buron.offers.models import PayAsYouGo
from buron.offers.tests.factories import carnet
from buron.places.tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    root = User.objects.create_superuser("root@example.org", "a long secret 123")
    totp_enrol(root)
    client.force_login(root)
    return client


def test_the_offer_list_shows_french_money(admin_client):
    carnet(NetworkFactory(), net_price=Decimal("10"))
    page = admin_client.get(reverse("admin:offers_offer_changelist"), secure=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "10,00\u00a0€" in text
    assert "10.00 €" not in text and "10.00\u00a0€" not in text
    assert "css/admin-lists.css" in text


def test_a_pay_as_you_go_line_reads_as_money_in_each_language(db):
    line = PayAsYouGo(booking_id=7, amount_incl_vat=Decimal("20"))
    with translation.override("fr"):
        assert "20,00\u00a0€" in str(line)
    with translation.override("en"):
        assert "€20.00" in str(line)
