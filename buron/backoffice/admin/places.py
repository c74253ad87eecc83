from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from buron.accounts.privacy import Affected
from buron.accounts.requests import signed_in_user
from buron.backoffice.departures import affected_report
from buron.backoffice.scope import (
    ADD,
    ALL,
    CHANGE,
    VIEW,
    ScopedAdminMixin,
    ScopedInlineMixin,
    request_scope,
)
from buron.booking.services import closure_apply, resource_withdraw, site_withdraw
from buron.places.models import (
    DEFAULT_UNIT,
    Amenity,
    Closure,
    Commune,
    HalfDay,
    Network,
    OpeningPeriod,
    Resource,
    ResourceKind,
    Site,
    half_days_overlap_error,
)

# Who may do what here (see buron.backoffice.scope): a network administrator manages their
# network's sites, resources and calendars, and edits (never adds nor deletes) the network
# itself; a site host edits their sites' description, resources, hours and closures.
HOST_ON_RESOURCES = frozenset({VIEW, ADD, CHANGE})


@admin.register(Network)
class NetworkAdmin(ScopedAdminMixin):
    list_display = ["name", "slug", "email", "is_demo"]
    prepopulated_fields = {"slug": ["name"]}
    network_admin_can = frozenset({VIEW, CHANGE})
    scope_network_lookup = "pk"


@admin.register(Amenity)
class AmenityAdmin(ScopedAdminMixin):
    """Shared by every network: superusers only."""

    list_display = ["code", "name_fr", "name_en"]


class OpeningPeriodForm(forms.ModelForm[OpeningPeriod]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The form set holds every half-day of the site and compares them as submitted.
        self.instance.compare_with_saved_half_day = False


class OpeningPeriodFormSet(BaseInlineFormSet[OpeningPeriod, Site, forms.ModelForm[OpeningPeriod]]):
    """A site's opening hours edited together: each day's morning ends before its afternoon
    starts, as submitted (both may move at once, and new ones are not saved yet)."""

    def clean(self) -> None:
        super().clean()
        by_day: dict[tuple[int, str], forms.ModelForm[OpeningPeriod]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            by_day[(data["weekday"], data["half_day"])] = form
        for weekday in {weekday for weekday, _ in by_day}:
            morning = by_day.get((weekday, HalfDay.MORNING))
            afternoon = by_day.get((weekday, HalfDay.AFTERNOON))
            if morning is None or afternoon is None:
                continue
            if morning.cleaned_data["closes"] > afternoon.cleaned_data["opens"]:
                afternoon.add_error("opens", half_days_overlap_error())


class OpeningPeriodInline(ScopedInlineMixin, admin.TabularInline[OpeningPeriod, Site]):
    model = OpeningPeriod
    form = OpeningPeriodForm
    formset = OpeningPeriodFormSet
    extra = 0
    network_admin_can = ALL
    site_host_can = ALL


class ClosureInline(ScopedInlineMixin, admin.TabularInline[Closure, Site]):
    model = Closure
    extra = 0
    network_admin_can = ALL
    site_host_can = ALL


class ResourceInline(ScopedInlineMixin, admin.TabularInline[Resource, Site]):
    model = Resource
    extra = 0
    fields = ["kind", "name", "name_en", "capacity", "booking_unit", "is_active"]
    network_admin_can = ALL
    site_host_can = HOST_ON_RESOURCES

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A resource is withdrawn (made inactive), never deleted: see ResourceAdmin."""
        return False


def _withdrawn(resource: Resource) -> bool:
    """Whether this save takes an active resource out of service."""
    return (
        resource.pk is not None
        and not resource.is_active
        and Resource.objects.filter(pk=resource.pk, is_active=True).exists()
    )


# What a site host sees of their site's place in the network but does not change.
HOST_READ_ONLY_SITE_FIELDS = ("network", "kind", "parent", "slug", "is_published")


@admin.register(Site)
class SiteAdmin(ScopedAdminMixin):
    list_display = ["name", "kind", "commune_name", "insee_code", "network", "is_published"]
    list_filter = [
        ("network", admin.RelatedOnlyFieldListFilter),
        "kind",
        "is_published",
        "has_fibre",
        "step_free_access",
    ]
    search_fields = ["name", "commune_name", "insee_code"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["amenities"]
    list_select_related = ["network"]
    inlines = [OpeningPeriodInline, ClosureInline, ResourceInline]
    network_admin_can = ALL
    site_host_can = frozenset({VIEW, CHANGE})
    scope_network_lookup = "network"
    scope_site_lookup = "pk"

    def _hosted_only(self, request: HttpRequest, obj: Site | None) -> bool:
        """Whether the person edits this site as its host, not as its network's admin."""
        scope = request_scope(request)
        return (
            obj is not None
            and not scope.everything
            and obj.network_id not in scope.network_ids
            and obj.pk in scope.site_ids
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if self._hosted_only(request, obj):
            return (*fields, *HOST_READ_ONLY_SITE_FIELDS)
        return fields

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        if self._hosted_only(request, obj):
            return {}
        return dict(super().get_prepopulated_fields(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A site is unpublished, never deleted (its bookings and history stay): the action
        below goes through the departures service."""
        return False

    def save_model(self, request: HttpRequest, obj: Site, form: Any, change: bool) -> None:
        was_published = change and Site.objects.filter(pk=obj.pk, is_published=True).exists()
        super().save_model(request, obj, form, change)
        if was_published and not obj.is_published:
            affected_report(request, site_withdraw(site=obj, by=signed_in_user(request)))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Resources repeat their site's network (the key every booking constraint carries).
        withdrawn: list[Resource] = []
        closures: list[Closure] = []
        for obj in formset.save(commit=False):
            if isinstance(obj, Resource):
                obj.network_id = form.instance.network_id
                if _withdrawn(obj):
                    withdrawn.append(obj)
            if isinstance(obj, Closure):
                closures.append(obj)
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
        by = signed_in_user(request)
        affected: list[Affected] = []
        for resource in withdrawn:
            affected.extend(resource_withdraw(resource=resource, by=by))
        for closure in closures:
            affected.extend(closure_apply(closure=closure, by=by))
        if withdrawn or closures:
            affected_report(request, affected)

    @admin.action(
        description=gettext_lazy(
            "Unpublish the selected sites (their bookings to come are cancelled)"
        )
    )
    def unpublish_sites(self, request: HttpRequest, queryset: QuerySet[Site]) -> None:
        by = signed_in_user(request)
        affected: list[Affected] = []
        for site in queryset:
            if self.has_change_permission(request, site):
                affected.extend(site_withdraw(site=site, by=by))
        affected_report(request, affected)

    actions = ["unpublish_sites"]


@admin.register(Resource)
class ResourceAdmin(ScopedAdminMixin):
    list_display = ["name", "kind", "site", "capacity", "booking_unit", "is_active"]
    list_filter = ["kind", "is_active", ("site__network", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_en", "site__name"]
    list_select_related = ["site"]
    exclude = ["network"]
    network_admin_can = ALL
    site_host_can = HOST_ON_RESOURCES
    scope_network_lookup = "site__network"
    scope_site_lookup = "site"

    actions = ["withdraw_resources"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A resource is withdrawn (made inactive), never deleted: its bookings to come are
        moved or cancelled by the action below, or by unticking "active"."""
        return False

    def save_model(self, request: HttpRequest, obj: Resource, form: Any, change: bool) -> None:
        obj.network_id = obj.site.network_id
        if not obj.booking_unit:
            obj.booking_unit = DEFAULT_UNIT[ResourceKind(obj.kind)]
        withdrawn = _withdrawn(obj)
        super().save_model(request, obj, form, change)
        if withdrawn:
            affected_report(request, resource_withdraw(resource=obj, by=signed_in_user(request)))

    @admin.action(
        description=gettext_lazy(
            "Withdraw the selected resources (their bookings to come are moved or cancelled)"
        )
    )
    def withdraw_resources(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        by = signed_in_user(request)
        affected: list[Affected] = []
        for resource in queryset:
            if self.has_change_permission(request, resource):
                affected.extend(resource_withdraw(resource=resource, by=by))
        affected_report(request, affected)


@admin.register(Commune)
class CommuneAdmin(ScopedAdminMixin):
    """The official communes table: read-only for everyone, loaded by a command."""

    list_display = ["insee_code", "name", "postal_code", "department"]
    search_fields = ["insee_code", "name", "postal_code"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    site_host_can = frozenset({VIEW})
    scope_shared = True
