from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from buron.accounts import services
from buron.accounts.models import ApiToken, MemberProfile, StatusPeriod, User
from buron.accounts.selectors import staff_scope, status_on
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_member_create_writes_profile_status_and_verified_address():
    from allauth.account.models import EmailAddress

    user = services.member_create(
        email=" Camille@Example.org ", password="s3cret-pass", status="student", verified=True
    )
    assert user.email == "camille@example.org"
    assert MemberProfile.objects.filter(user=user).exists()
    assert StatusPeriod.objects.get(user=user).status == "student"
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-email", "status": "student"}, "email"),
        ({"email": "a@example.org", "status": "astronaut"}, "status"),
        ({"email": "a@example.org", "status": "salaried_remote"}, "employer_name"),
    ],
)
def test_member_create_rejects_bad_input_and_writes_nothing(kwargs, field):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.member_create(password=None, **kwargs)
    assert field in caught.value.message_dict
    assert not User.objects.exists()


def test_member_create_refuses_a_taken_email():
    UserFactory(email="taken@example.org")
    with pytest.raises(ValidationError) as caught:
        services.member_create(email="TAKEN@example.org", password=None, status="other")
    assert "email" in caught.value.message_dict
    assert User.objects.count() == 1


def test_status_on_picks_the_period_in_force_that_day():
    user = UserFactory()
    services.member_status_change(
        user=user, status="salaried_remote", employer_name="Acme", valid_from=dt.date(2027, 1, 1)
    )
    assert status_on(user=user, day=dt.date(2026, 12, 31)).status == "freelancer"
    in_force = status_on(user=user, day=dt.date(2027, 1, 1))
    assert (in_force.status, in_force.employer_name) == ("salaried_remote", "Acme")


def test_an_employer_is_only_kept_for_salaried_workers():
    user = UserFactory()
    period = services.member_status_change(
        user=user, status="student", employer_name="Acme", valid_from=dt.date(2027, 1, 1)
    )
    assert period.employer_name == ""


def test_api_tokens_are_stored_hashed_and_resolve_to_their_user():
    user = UserFactory()
    token = services.api_token_create(user=user)
    assert not ApiToken.objects.filter(digest=token).exists()
    assert services.api_token_user(token=token) == user
    assert services.api_token_user(token=token + "x") is None
    user.is_active = False
    user.save()
    assert services.api_token_user(token=token) is None


def test_staff_scope_denies_by_default_and_covers_only_its_sites():
    network = NetworkFactory()
    murat, aurillac = SiteFactory(network=network), SiteFactory(network=network)
    other_network_site = SiteFactory()
    host = StaffRoleFactory(site=murat).user
    admin = StaffRoleFactory(role="network_admin", network=network, site=None).user
    member = UserFactory()
    assert not staff_scope(user=member).is_staff
    assert staff_scope(user=host).covers_site(murat)
    assert not staff_scope(user=host).covers_site(aurillac)
    assert staff_scope(user=admin).covers_site(aurillac)
    assert not staff_scope(user=admin).covers_site(other_network_site)
