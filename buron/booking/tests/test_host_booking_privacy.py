"""The host's booking form confirms with an email address and never reveals a member's
name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from buron.accounts.tests.factories import UserFactory
from buron.booking.models import Booking

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


def test_booking_for_a_member_confirms_with_their_email_not_their_name(client, host, site):
    UserFactory(email="secret@example.org", first_name="Secret", last_name="Person")
    client.force_login(host)
    response = client.post(
        reverse("booking:manage_book", kwargs={"slug": "murat"}),
        {"email": "SECRET@example.org", "date": "2027-03-02", "period": "am"},
        follow=True,
    )
    html = response.content.decode()
    assert "Booked Poste 1 for secret@example.org on 2 March 2027, 08:30." in html
    assert "Secret Person" not in "".join(str(m) for m in response.context["messages"])


def test_an_unknown_address_gets_a_neutral_answer(client, host, site):
    UserFactory(email="closed@example.org", is_active=False)
    client.force_login(host)
    for email in ("nobody@example.org", "closed@example.org"):
        response = client.post(
            reverse("booking:manage_book", kwargs={"slug": "murat"}),
            {"email": email, "date": "2027-03-02", "period": "am"},
        )
        assert response.context["form"].errors["email"] == [
            "No active member account uses this address."
        ]
    assert Booking.objects.count() == 0
