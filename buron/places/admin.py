from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from .models import (
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


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email", "is_demo"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en"]


class OpeningPeriodForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The form set holds every half-day of the site and compares them as submitted.
        self.instance.compare_with_saved_half_day = False


class OpeningPeriodFormSet(BaseInlineFormSet):
    """A site's opening hours edited together: each day's morning ends before its afternoon
    starts, as submitted (both may move at once, and new ones are not saved yet)."""

    def clean(self) -> None:
        super().clean()
        by_day: dict[tuple[int, str], forms.Form] = {}
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


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    form = OpeningPeriodForm
    formset = OpeningPeriodFormSet
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    fields = ["kind", "name", "capacity", "booking_unit", "is_active"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune_name", "insee_code", "network", "is_published"]
    list_filter = ["network", "kind", "is_published", "has_fibre", "step_free_access"]
    search_fields = ["name", "commune_name", "insee_code"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["amenities"]
    list_select_related = ["network"]
    inlines = [OpeningPeriodInline, ClosureInline, ResourceInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Resources repeat their site's network (the key every booking constraint carries).
        for obj in formset.save(commit=False):
            if isinstance(obj, Resource):
                obj.network_id = form.instance.network_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "site", "capacity", "booking_unit", "is_active"]
    list_filter = ["kind", "is_active", "site__network"]
    search_fields = ["name", "site__name"]
    list_select_related = ["site"]
    exclude = ["network"]

    def save_model(self, request: HttpRequest, obj: Resource, form: Any, change: bool) -> None:
        obj.network_id = obj.site.network_id
        if not obj.booking_unit:
            obj.booking_unit = DEFAULT_UNIT[ResourceKind(obj.kind)]
        super().save_model(request, obj, form, change)


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["insee_code", "name", "postal_code", "department"]
    search_fields = ["insee_code", "name", "postal_code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
