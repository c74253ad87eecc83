"""Employer contracts, their employees, the days employers pay for and the monthly
invoicing runs in the admin, managed by each network's administrators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from buron.accounts.models import Organisation, User
from buron.backoffice.scope import ALL, VIEW, ScopedAdminMixin, request_scope
from buron.billing.employer_tasks import employer_invoicing_queue
from buron.employers.models import EmployerContract, EmployerUse, Employment, InvoicingRun
from buron.employers.services import employees_link_from_statuses
from buron.places.models import Site


def _organisations(request: HttpRequest) -> QuerySet[Organisation]:
    scope = request_scope(request)
    if scope.everything:
        return Organisation.objects.all()
    return Organisation.objects.filter(network_id__in=scope.network_ids)


@admin.action(description=_("Link the members whose status names the employer"))
def link_from_statuses(
    modeladmin: EmployerContractAdmin, request: HttpRequest, queryset: QuerySet[EmployerContract]
) -> None:
    made = sum(
        employees_link_from_statuses(organisation=c.organisation)
        for c in queryset.select_related("organisation")
    )
    modeladmin.message_user(
        request, ngettext("%(n)d member linked.", "%(n)d members linked.", made) % {"n": made}
    )


@admin.action(description=_("Invoice the previous month now (all contracts of the network)"))
def invoice_previous_month(
    modeladmin: EmployerContractAdmin, request: HttpRequest, queryset: QuerySet[EmployerContract]
) -> None:
    networks = employer_invoicing_queue()
    modeladmin.message_user(
        request,
        _("Invoicing queued for %(n)d network(s): follow it under Employer invoicing runs.")
        % {"n": len(networks)},
    )


@admin.register(EmployerContract)
class EmployerContractAdmin(ScopedAdminMixin):
    """An employer's contract: sites, quota, prices, VAT, validity; the employees it covers
    are the members linked to the organisation."""

    list_display = [
        "organisation",
        "reference",
        "days_per_month",
        "half_day_price",
        "day_price",
        "vat_rate",
        "starts_on",
        "ends_on",
    ]
    list_filter = [("network", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["organisation__legal_name", "reference"]
    list_select_related = ["organisation"]
    filter_horizontal = ["sites"]
    readonly_fields = ["employees_covered"]
    actions = [link_from_statuses, invoice_previous_month]
    network_admin_can = ALL
    scope_network_lookup = "network"

    @admin.display(description=_("employees covered"))
    def employees_covered(self, obj: EmployerContract) -> str:
        if obj.pk is None:
            return "—"
        rows = Employment.objects.filter(organisation_id=obj.organisation_id).select_related(
            "member"
        )
        return format_html_join(", ", "{}", ((str(e.member),) for e in rows)) or "—"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = _organisations(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "sites":
            scope = request_scope(request)
            sites = Site.objects.all()
            if not scope.everything:
                sites = sites.filter(network_id__in=scope.network_ids)
            kwargs["queryset"] = sites.order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class EmploymentForm(forms.ModelForm[Employment]):
    """A link between a member (given by their email) and an employer."""

    member_email = forms.EmailField(label=_("employee's email"))

    class Meta:
        model = Employment
        fields = ["organisation", "member_email", "pays_by_default"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["member_email"].initial = self.instance.member.email

    def clean_member_email(self) -> User:
        email = self.cleaned_data["member_email"].strip().lower()
        member = User.objects.filter(email=email, is_active=True).first()
        if member is None:
            raise forms.ValidationError(_("No member has this email address."))
        self.instance.member = member
        return member


@admin.register(Employment)
class EmploymentAdmin(ScopedAdminMixin):
    """Members linked to an employer: its contracts pay for their bookings."""

    form = EmploymentForm
    list_display = ["member", "organisation", "from_status", "pays_by_default", "created_at"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter), "from_status"]
    search_fields = ["member__email", "member__last_name", "organisation__legal_name"]
    list_select_related = ["member", "organisation"]
    network_admin_can = ALL
    scope_network_lookup = "organisation__network"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = _organisations(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(EmployerUse)
class EmployerUseAdmin(ScopedAdminMixin):
    """The days employers pay for, one per booking: read-only (written by bookings)."""

    list_display = ["day", "period", "employee_name", "site", "contract", "units", "status"]
    list_filter = ["status", ("contract__organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["employee_name"]
    date_hierarchy = "day"
    list_select_related = ["site", "contract__organisation"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "contract__network"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in EmployerUse._meta.concrete_fields]


@admin.register(InvoicingRun)
class InvoicingRunAdmin(ScopedAdminMixin):
    """The progress of each month's employer invoicing: contracts done out of the total."""

    list_display = [
        "month",
        "network",
        "progress",
        "invoiced",
        "failed",
        "status",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", ("network", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["network"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "network"

    @admin.display(description=_("done / total"))
    def progress(self, obj: InvoicingRun) -> str:
        return f"{obj.done + obj.failed} / {obj.total}"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in InvoicingRun._meta.concrete_fields]
