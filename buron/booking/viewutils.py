"""Small helpers shared by the booking pages (members' and hosts')."""

from __future__ import annotations

from django.http import HttpRequest

from buron.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind login_required."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by login_required
    return user
