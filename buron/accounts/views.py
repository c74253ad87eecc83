"""A member's own account: profile, status, their data, closing the account."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .forms import (
    EmailPreferencesForm,
    ProfileForm,
    StatusChangeForm,
    StatusRemoveForm,
    status_date_bounds,
)
from .models import User, VisitorStatus
from .requests import signed_in_user
from .selectors import staff_scope, status_on
from .services import (
    member_close,
    member_data_export,
    member_email_preferences_update,
    member_profile_ensure,
    member_profile_update,
    member_status_change,
    member_status_remove,
)


def _status_label(status: str) -> str:
    return str(VisitorStatus(status).label) if status in VisitorStatus.values else status


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    member = signed_in_user(request)
    status = status_on(user=member, day=timezone.localdate())
    return render(
        request,
        "accounts/overview.html",
        {
            "member": member,
            "status": status,
            "status_label": _status_label(status.status) if status else "",
            "is_host": staff_scope(user=member).is_staff,
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    member = signed_in_user(request)
    current = member_profile_ensure(user=member)
    form = ProfileForm(
        request.POST or None,
        initial={
            "first_name": member.first_name,
            "last_name": member.last_name,
            "commune": f"{current.commune.name} ({current.commune.postal_code})"
            if current.commune
            else "",
            "work_commune": (
                f"{current.work_commune.name} ({current.work_commune.postal_code})"
                if current.work_commune
                else ""
            ),
            "phone": current.phone,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_profile_update(
                user=member,
                first_name=data["first_name"],
                last_name=data["last_name"],
                commune=data["commune"],
                phone=data["phone"],
                work_commune=data["work_commune"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def emails(request: HttpRequest) -> HttpResponse:
    """Which emails the member gets beyond the essential ones."""
    member = signed_in_user(request)
    current = member_profile_ensure(user=member)
    form = EmailPreferencesForm(
        request.POST or None,
        initial={
            "language": current.language,
            "reminders": current.email_reminders,
            "confirmations": current.email_confirmations,
        },
    )
    if request.method == "POST" and form.is_valid():
        member_email_preferences_update(
            user=member,
            reminders=form.cleaned_data["reminders"],
            confirmations=form.cleaned_data["confirmations"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Your email choices are saved."))
        return redirect("accounts:emails")
    return render(request, "accounts/emails.html", {"form": form})


@login_required
def status(request: HttpRequest) -> HttpResponse:
    member = signed_in_user(request)
    today = timezone.localdate()
    current = status_on(user=member, day=today)
    first_day, last_day = status_date_bounds(
        today=today, joined=timezone.localdate(member.date_joined)
    )
    form = StatusChangeForm(
        request.POST or None,
        first_day=first_day,
        last_day=last_day,
        initial={
            "valid_from": today,
            "status": current.status if current else None,
            "employer_name": current.employer_name if current else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_status_change(
                user=member,
                status=data["status"],
                employer_name=data.get("employer_name", ""),
                valid_from=data["valid_from"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your status is recorded."))
            return redirect("accounts:status")
    periods = [
        (p, _status_label(p.status), p.valid_from > today)
        for p in member.status_periods.order_by("-valid_from")
    ]
    return render(
        request,
        "accounts/status.html",
        {
            "form": form,
            "current": current,
            "current_label": _status_label(current.status) if current else "",
            "periods": periods,
            "removable": len(periods) > 1,
        },
    )


@login_required
@require_POST
def status_remove(request: HttpRequest) -> HttpResponse:
    """Remove a status change to come, recorded by mistake."""
    member = signed_in_user(request)
    form = StatusRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("No status change is recorded on that day."))
        return redirect("accounts:status")
    try:
        member_status_remove(user=member, valid_from=form.cleaned_data["valid_from"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The status change is removed."))
    return redirect("accounts:status")


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    """Everything Buron holds about the member, as a JSON file to download."""
    member = signed_in_user(request)
    data = member_data_export(user=member)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"buron-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class CloseForm(forms.Form):
    """Closing is for good: the member types their password to confirm it."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(gettext_lazy("This is not your password."), code="wrong_password")
        return password


@login_required
def close(request: HttpRequest) -> HttpResponse:
    member = signed_in_user(request)
    form = CloseForm(request.POST or None, user=member)
    if request.method == "POST" and form.is_valid():
        member_close(user=member)
        logout(request)
        request.session["account_closed"] = True
        return redirect("accounts:closed")
    return render(request, "accounts/close.html", {"form": form})


def closed(request: HttpRequest) -> HttpResponse:
    """Said once, right after closing; anyone else is sent to the home page."""
    if not request.session.pop("account_closed", False):
        return redirect("public:home")
    return render(request, "accounts/closed.html")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page: staff sign in through the member login, under the same
    lockouts (per account and per address), then come back to the admin.

    Someone signed in whom the admin refused (not staff, or inactive) is told so rather than
    sent round the login again."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("Your account has no access to the administration."))
    target = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")
