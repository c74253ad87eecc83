"""Booking rules per network or site, and a read-only list of bookings, in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from buron.backoffice.scope import ALL, VIEW, ScopedAdminMixin
from buron.booking.models import Booking, BookingPolicy


class BookingPolicyForm(forms.ModelForm[BookingPolicy]):
    class Meta:
        model = BookingPolicy
        fields = [
            "network",
            "site",
            "horizon_days",
            "max_per_member_per_day",
            "cancellation_deadline_hours",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        network, site = data.get("network"), data.get("site")
        if network is None or "site" in self.errors:
            return data
        if site is not None and site.network_id != network.pk:
            self.add_error(
                "site",
                forms.ValidationError(
                    _("This site belongs to another network than these rules."),
                    code="site_in_other_network",
                ),
            )
        elif (
            site is None
            and BookingPolicy.objects.filter(network=network, site__isnull=True)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "site",
                forms.ValidationError(
                    _(
                        "This network already has rules for all its sites: change those, "
                        "or choose the site these rules are for."
                    ),
                    code="network_default_taken",
                ),
            )
        return data


@admin.register(BookingPolicy)
class BookingPolicyAdmin(ScopedAdminMixin):
    """A network's booking rules, and those of single sites: set by its administrators."""

    form = BookingPolicyForm
    list_display = [
        "__str__",
        "network",
        "site",
        "horizon_days",
        "max_per_member_per_day",
        "cancellation_deadline_hours",
    ]
    list_filter = [("network", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["network", "site"]
    network_admin_can = ALL
    scope_network_lookup = "network"
    scope_site_lookup = "site"


@admin.register(Booking)
class BookingAdmin(ScopedAdminMixin):
    """Bookings, read-only for everyone: they are made, moved and cancelled by the booking
    services (which keep slots and credits right), never edited here."""

    list_display = ["start", "end", "site", "resource", "member", "kind", "status"]
    list_filter = ["status", "kind", ("site", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["member__email", "member__last_name", "resource__name"]
    list_select_related = ["site", "resource__site", "member"]
    ordering = ["-start"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "network"
    scope_site_lookup = "site"
