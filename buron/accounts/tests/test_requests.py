from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from buron.accounts.requests import signed_in_user
from buron.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_gives_the_signed_in_member_or_the_token_owner():
    member = UserFactory()
    request = RequestFactory().get("/")
    request.user = member
    assert signed_in_user(request) == member
    owner = UserFactory()
    request.auth = owner
    assert signed_in_user(request) == owner


def test_it_refuses_anonymous_and_closed_accounts():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)
    closed = UserFactory(is_active=False)
    request.user = closed
    with pytest.raises(PermissionDenied):
        signed_in_user(request)
