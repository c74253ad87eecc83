"""Attendance in the admin: each network's settings (no-show delay, reference town, CO2
factor and its source), set by its administrators; visits, read-only."""

from __future__ import annotations

from django.contrib import admin

from buron.attendance.models import AttendanceSettings, Visit
from buron.backoffice.scope import ADD, CHANGE, VIEW, ScopedAdminMixin


@admin.register(AttendanceSettings)
class AttendanceSettingsAdmin(ScopedAdminMixin):
    """A network's attendance settings: its administrators change them, hosts do not."""

    list_display = [
        "network",
        "no_show_after_minutes",
        "reference_commune",
        "road_factor",
        "co2_kg_per_km",
        "co2_source",
        "co2_year",
    ]
    list_select_related = ["network", "reference_commune"]
    autocomplete_fields = ["reference_commune"]
    network_admin_can = frozenset({VIEW, ADD, CHANGE})
    scope_network_lookup = "network"


@admin.register(Visit)
class VisitAdmin(ScopedAdminMixin):
    """Visits, read-only: they are recorded by check-ins, never edited here."""

    list_display = ["arrived_at", "site", "member", "source", "visitor_status", "km_avoided"]
    list_filter = ["source", "visitor_status", ("site", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["site", "member"]
    ordering = ["-arrived_at"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    site_host_can = frozenset({VIEW})
    scope_network_lookup = "network"
    scope_site_lookup = "site"
