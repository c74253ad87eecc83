"""Who is asking: the signed-in user of a request, typed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .models import User


def signed_in_user(request: HttpRequest) -> User:
    """The active signed-in user (pages behind login_required, API calls behind a token);
    anything else is refused rather than trusted."""
    user: Any = getattr(request, "auth", None) or request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied
    return user
