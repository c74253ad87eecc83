"""The demo's accounts: a superuser, an administrator of the Cantal network, the host of
Murat and a member; each signs in with the documented password and sees what their role
gives, no more.

Like test_demo_load, the demo is loaded once for the module in a transaction rolled back
at the end.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker, Settings

from buron.accounts.models import MemberProfile, Role, StaffRole, StatusPeriod, User
from buron.accounts.tests.factories import totp_enrol
from buron.demo import network as demo
from buron.demo.services import DemoResult, demo_load
from buron.demo.trainings import ADVISER_EMAIL, TRAINER_EMAIL
from buron.places.models import Site

YEAR = 2027

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    demo.ADMIN_EMAIL,
    demo.NETWORK_ADMIN_EMAIL,
    demo.HOST_EMAIL,
    demo.MEMBER_EMAIL,
    ADVISER_EMAIL,
    TRAINER_EMAIL,
]


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[DemoResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(year=YEAR)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _static_without_manifest(settings: Settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.parametrize("email", ACCOUNTS)
def test_every_demo_account_signs_in_with_the_documented_password(
    loaded: DemoResult, email: str
) -> None:
    assert Client().login(email=email, password=demo.DEMO_PASSWORD)
    assert not Client().login(email=email, password="not-the-password")
    address = EmailAddress.objects.get(user__email=email)
    assert (address.email, address.verified, address.primary) == (email, True, True)


@pytest.mark.parametrize("email", [demo.HOST_EMAIL, demo.MEMBER_EMAIL])
def test_the_demo_accounts_sign_in_on_the_member_sign_in_page(
    loaded: DemoResult, client: Client, email: str
) -> None:
    response = client.post(
        reverse("account_login"), {"login": email, "password": demo.DEMO_PASSWORD}, secure=True
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:search")  # not "verify your email"


def test_the_result_lists_the_demo_accounts(loaded: DemoResult) -> None:
    assert [(a.email, a.password) for a in loaded.accounts] == [
        (email, demo.DEMO_PASSWORD) for email in ACCOUNTS
    ]


def test_the_network_admin_administers_the_cantal_network_only(loaded: DemoResult) -> None:
    user = User.objects.get(email=demo.NETWORK_ADMIN_EMAIL)
    assert user.is_staff
    assert not user.is_superuser
    roles = StaffRole.objects.filter(user=user)
    assert [(r.network_id, r.role, r.site_id) for r in roles] == [
        (loaded.network.pk, Role.NETWORK_ADMIN, None)
    ]


def test_the_network_admin_sees_the_network_sites_in_the_admin(
    loaded: DemoResult, client: Client
) -> None:
    user = User.objects.get(email=demo.NETWORK_ADMIN_EMAIL)
    totp_enrol(user)  # the demo's administrators enrol on their first visit
    client.force_login(user)
    response = client.get(reverse("admin:places_site_changelist"), secure=True)
    assert response.status_code == 200
    listed = {site.slug for site in response.context["cl"].result_list}
    assert listed == {spec.slug for spec in demo.SITES}
    assert client.get(reverse("admin:offers_offer_changelist"), secure=True).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist"), secure=True).status_code == 403


def test_the_host_hosts_murat_only(loaded: DemoResult) -> None:
    user = User.objects.get(email=demo.HOST_EMAIL)
    assert user.is_staff
    assert not user.is_superuser
    roles = StaffRole.objects.filter(user=user).select_related("site")
    assert [(r.network_id, r.role, r.site.slug if r.site else None) for r in roles] == [
        (loaded.network.pk, Role.SITE_HOST, "murat")
    ]


def test_the_host_plan_lists_murat_and_its_annex_only(loaded: DemoResult, client: Client) -> None:
    client.force_login(User.objects.get(email=demo.HOST_EMAIL))
    response = client.get(reverse("booking:manage"), secure=True)
    assert response.status_code == 200
    assert sorted(site.slug for site in response.context["sites"]) == ["murat", "murat-extension"]
    for slug in ("murat", "murat-extension"):
        page = client.get(reverse("booking:manage_site", args=[slug]), secure=True)
        assert page.status_code == 200
    assert client.get(reverse("booking:manage_site", args=["ydes"]), secure=True).status_code == 404


def test_the_host_sees_murat_and_its_annex_only_in_the_admin(
    loaded: DemoResult, client: Client
) -> None:
    client.force_login(User.objects.get(email=demo.HOST_EMAIL))
    response = client.get(reverse("admin:places_site_changelist"), secure=True)
    assert sorted(site.slug for site in response.context["cl"].result_list) == [
        "murat",
        "murat-extension",
    ]
    # The host reads the catalogue; only the network's administrators change it.
    assert client.get(reverse("admin:offers_offer_changelist"), secure=True).status_code == 200
    assert client.get(reverse("admin:offers_offer_add"), secure=True).status_code == 403


def test_the_member_is_a_salaried_remote_worker_living_in_murat(loaded: DemoResult) -> None:
    user = User.objects.get(email=demo.MEMBER_EMAIL)
    assert not user.is_staff
    assert not StaffRole.objects.filter(user=user).exists()
    profile = MemberProfile.objects.get(user=user)
    assert profile.commune is not None
    assert (profile.commune.insee_code, profile.commune.name) == ("15138", "Murat")
    (status,) = StatusPeriod.objects.filter(user=user)
    assert (status.status, status.employer_name) == ("salaried_remote", "Demo employer")


def test_the_member_does_not_manage_any_site(loaded: DemoResult, client: Client) -> None:
    client.force_login(User.objects.get(email=demo.MEMBER_EMAIL))
    assert client.get(reverse("booking:manage"), secure=True).status_code == 403


def test_the_command_prints_every_demo_account(loaded: DemoResult) -> None:
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    for email in ACCOUNTS:
        assert f"{email} / {demo.DEMO_PASSWORD}" in out.getvalue()
    assert StaffRole.objects.filter(user__email__endswith="@buron.example").count() == 2
    assert Site.objects.filter(network=loaded.network).count() == len(demo.SITES)
