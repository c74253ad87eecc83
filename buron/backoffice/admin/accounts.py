"""People in the admin: accounts (superusers only) and staff roles (also network admins).

A staff role is what grants rights in Buron's admin (see buron.backoffice.scope); a network
administrator appoints the administrators and site hosts of their network here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.privacy import Affected
from buron.accounts.requests import signed_in_user
from buron.accounts.services import member_close
from buron.backoffice.departures import affected_report
from buron.backoffice.scope import ALL, ScopedAdminMixin, ScopedInlineMixin


class StaffRoleForm(forms.ModelForm[StaffRole]):
    """A role: a network administrator has no site; a site host hosts one site of the
    role's network."""

    class Meta:
        model = StaffRole
        fields = ["network", "role", "site"]

    def _role_user_id(self) -> int | None:
        return self.instance.user_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, network, site = data.get("role"), data.get("network"), data.get("site")
        if "site" in self.errors:
            return data
        if role == Role.NETWORK_ADMIN and site is not None:
            self.add_error(
                "site",
                forms.ValidationError(
                    _("A network administrator manages the whole network: leave the site empty."),
                    code="network_admin_with_site",
                ),
            )
        elif role == Role.SITE_HOST and site is None:
            self.add_error(
                "site",
                forms.ValidationError(
                    _("A site host hosts one site: choose it."), code="site_host_without_site"
                ),
            )
        elif site is not None and network is not None and site.network_id != network.pk:
            self.add_error(
                "site",
                forms.ValidationError(
                    _("This site belongs to another network than the role."),
                    code="site_in_other_network",
                ),
            )
        user_id = self._role_user_id()
        if (
            not self.errors
            and user_id is not None
            and role
            and network is not None
            and StaffRole.objects.filter(user_id=user_id, network=network, role=role, site=site)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("This person already has this role."), code="role_taken")
        return data


class StaffRoleAdminForm(StaffRoleForm):
    """A role given to an existing account named by its email address, so that nobody
    browses the list of every account to choose one."""

    user_email = forms.EmailField(
        label=_("email address of the person"),
        help_text=_("The person must already have an account."),
    )
    field_order = ["user_email", "network", "role", "site"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["user_email"].initial = self.instance.user.email

    def clean_user_email(self) -> str:
        email: str = self.cleaned_data["user_email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                _("No account uses this email address."), code="unknown_email"
            )
        self.instance.user = user
        return email


@admin.register(StaffRole)
class StaffRoleAdmin(ScopedAdminMixin):
    """Staff roles of a network. Giving someone a role also lets them into this admin
    (``is_staff``); what they see there follows their roles only."""

    form = StaffRoleAdminForm
    list_display = ["user", "role", "network", "site"]
    list_filter = ["role", ("network", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "network", "site"]
    network_admin_can = ALL
    scope_network_lookup = "network"
    scope_site_lookup = "site"

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        User.objects.filter(pk=obj.user_id, is_staff=False).update(is_staff=True)


class StaffRoleInline(ScopedInlineMixin, admin.TabularInline[StaffRole, User]):
    model = StaffRole
    form = StaffRoleForm
    fk_name = "user"
    extra = 0
    # On an account's page: superusers only (nobody else opens accounts).
    parent_network_lookup = None
    parent_site_lookup = None


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin[User]):
    """Every account of every network: superusers only. Network administrators give roles
    to existing accounts by email on the staff roles page."""

    audit_main = False  # accounts hold secrets; their roles (inline) are still recorded
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [StaffRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["close_accounts"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nobody deletes an account here, superusers included: a delete would skip the
        erasure (the bookings would keep their places, the logs the name). Closing it is
        the action below, which goes through the departures service."""
        return False

    @admin.action(description=_("Close the selected accounts and erase their personal data"))
    def close_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        affected: list[Affected] = []
        closed = 0
        by = signed_in_user(request)
        for user in queryset.filter(is_active=True).exclude(pk=by.pk):
            affected.extend(member_close(user=user))
            closed += 1
        messages.success(
            request,
            ngettext("%(count)d account closed.", "%(count)d accounts closed.", closed)
            % {"count": closed},
        )
        affected_report(request, affected)
