"""Two-factor authentication (TOTP and recovery codes, django-allauth's mfa app) for staff.

Network administrators and superusers must enrol an authenticator app before they reach the
admin (`/admin/`) or the site management pages (`/gestion/`); site hosts are offered it on
their account page. Signing in then asks for the app's code (or a recovery code) after the
password: the admin's own login form is replaced by the member login for that reason
(config/urls.py), so there is no way in with the password alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import Role, StaffRole, User


def staff_two_factor_required(*, user: User) -> bool:
    """Whether this person must use two-factor authentication (network admin, superuser)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser or StaffRole.objects.filter(user=user, role=Role.NETWORK_ADMIN).exists()
    )


def two_factor_enrolled(*, user: User) -> bool:
    """Whether this person has an authenticator app (TOTP) set up."""
    found: bool = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return found


def _guarded_paths() -> re.Pattern[str]:
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:(?:{languages})/)?(?:admin|gestion)/(?!logout/)")


class StaffTwoFactorMiddleware:
    """Sends a network admin without an authenticator app to enrol one, from staff pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.guarded = _guarded_paths()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not self.guarded.match(request.path_info):
            return None
        if not staff_two_factor_required(user=user) or two_factor_enrolled(user=user):
            return None
        messages.warning(
            request,
            _(
                "Network administrators must protect their account with an authenticator "
                "app before opening the administration pages."
            ),
        )
        target = reverse("mfa_activate_totp")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
