"""Sign-up with values at and past the edges: nothing is cut, nothing is half-written."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from buron.accounts import services
from buron.accounts.models import MemberProfile, StatusPeriod, User

from .test_views_signup import communes, signup  # noqa: F401 - the fixture, and the helper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        cache.clear()
        yield


def email_of_length(length: int) -> str:
    """A well-formed address of exactly `length` characters (labels of at most 63)."""
    local = "a" * 64
    domain_length = length - len(local) - 1 - len(".fr")
    labels = []
    while domain_length > 0:
        label = min(63, domain_length)
        if domain_length - label == 1:  # a dot needs a label after it
            label -= 1
        labels.append("b" * label)
        domain_length -= label + 1
    email = f"{local}@{'.'.join(labels)}.fr"
    assert len(email) == length, len(email)
    return email


def nothing_written() -> bool:
    return not (
        User.objects.exists()
        or EmailAddress.objects.exists()
        or MemberProfile.objects.exists()
        or StatusPeriod.objects.exists()
    )


@pytest.mark.parametrize("length", [255, 260, 400])
def test_an_email_longer_than_the_account_keeps_is_refused_not_cut(client, communes, length):  # noqa: F811
    response = signup(client, email=email_of_length(length))
    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert any("254" in e for e in errors), errors
    assert nothing_written()


def test_an_email_of_254_characters_is_kept_whole(client, communes):  # noqa: F811
    email = email_of_length(254)
    response = signup(client, email=email)
    assert response.status_code == 302
    assert User.objects.get().email == email
    assert EmailAddress.objects.get().email == email


def test_the_email_field_says_its_limit_to_the_browser(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'maxlength="254"' in html


def test_a_sign_up_that_fails_half_way_leaves_nothing_behind(client, communes, monkeypatch):  # noqa: F811
    """Whatever breaks after allauth has written the account, the account goes too."""

    def broken(**kwargs):
        raise RuntimeError("the profile could not be written")

    monkeypatch.setattr(services, "member_signup_complete", broken)
    with pytest.raises(RuntimeError):
        signup(client)
    assert nothing_written()
