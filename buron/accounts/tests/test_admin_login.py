"""The admin has no login form of its own: staff sign in through the member login, under
its lockouts, and come back to the admin page they asked for."""

from __future__ import annotations

import pytest
from django.urls import reverse

from buron.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_sends_to_the_member_login_and_back(client):
    response = client.get("/admin/places/site/", follow=True)
    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/places/site/", 302),
        ("/compte/login/?next=%2Fadmin%2Fplaces%2Fsite%2F", 302),
    ]
    assert response.status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/admin/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_the_admin_login_keeps_only_a_page_of_this_site(client, target):
    response = client.get(reverse("admin_login"), {"next": target})
    assert response["Location"] == "/compte/login/?next=%2Fadmin%2F"


def test_a_signed_in_member_without_staff_rights_is_refused_not_sent_round(client):
    client.force_login(UserFactory())
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403


def test_the_old_admin_form_signs_nobody_in(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/", {"username": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
