"""Two-factor authentication: required of network administrators, offered to site hosts."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters
from django.test import Client
from django.urls import reverse

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory, totp_enrol
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(counters())))


@pytest.fixture
def network_admin() -> User:
    network = NetworkFactory()
    SiteFactory(network=network)
    user = UserFactory(email="admin@example.org", is_staff=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    StaffRole.objects.create(user=user, network=network, role=Role.NETWORK_ADMIN)
    return user


@pytest.fixture
def host() -> User:
    site = SiteFactory()
    return StaffRoleFactory(site=site, user__email="host@example.org", user__is_staff=True).user


@pytest.mark.parametrize("path", ["/admin/", "/en/admin/", "/admin/places/site/", "/gestion/"])
def test_a_network_admin_without_an_app_is_sent_to_enrol(client: Client, network_admin, path):
    client.force_login(network_admin)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert f"next={path.replace('/', '%2F')}" in response["Location"]


def test_a_superuser_without_an_app_is_sent_to_enrol(client: Client):
    client.force_login(User.objects.create_superuser("root@example.org", PASSWORD))
    assert client.get("/admin/")["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_post_to_the_admin_changes_nothing_before_enrolment(client: Client, network_admin):
    site = SiteFactory(network=network_admin.staff_roles.get().network, name="Avant")
    client.force_login(network_admin)
    response = client.post(f"/admin/places/site/{site.pk}/change/", {"name": "Après"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Avant"


def test_an_enrolled_network_admin_gets_in(client: Client, network_admin):
    totp_enrol(network_admin)
    client.force_login(network_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/gestion/").status_code == 200


def test_a_site_host_is_offered_it_but_not_forced(client: Client, host):
    client.force_login(host)
    assert client.get("/gestion/").status_code == 200
    overview = client.get(reverse("accounts:overview")).content.decode()
    assert reverse("mfa_index") in overview


def test_a_member_is_not_offered_it(client: Client):
    client.force_login(UserFactory())
    assert reverse("mfa_index") not in client.get(reverse("accounts:overview")).content.decode()


def test_the_admin_login_is_the_member_login(client: Client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # The password alone never opens the admin: its own form is gone.
    posted = client.post("/admin/login/", {"username": "root@example.org", "password": PASSWORD})
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session


def _login(client: Client, email: str) -> str:
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def test_signing_in_asks_for_the_code_after_the_password(client: Client, network_admin):
    secret = totp_enrol(network_admin)
    assert _login(client, network_admin.email) == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    chain = client.get("/admin/", follow=True).redirect_chain
    assert chain[-1][0] == reverse("mfa_authenticate")  # still half-way through signing in

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("mfa_authenticate"), {"code": code(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(network_admin.pk)
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(client: Client, network_admin):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    totp_enrol(network_admin)
    recovery = RecoveryCodes.activate(network_admin).get_unused_codes()[0]
    _login(client, network_admin.email)
    assert client.post(reverse("mfa_authenticate"), {"code": recovery}).status_code == 302
    assert client.session["_auth_user_id"] == str(network_admin.pk)

    other = Client()
    _login(other, network_admin.email)
    assert other.post(reverse("mfa_authenticate"), {"code": recovery}).status_code == 200
    assert "_auth_user_id" not in other.session
