"""Sellers, organisations, invoices and payments in the admin, scoped by network.

Issued invoices, credit notes and payments are read-only for everyone (superusers too):
they are issued, credited and paid by the billing services, which keep the sequence and
the Factur-X file right. A draft is issued with the "Issue" action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from buron.accounts.models import Organisation
from buron.backoffice.admin.money import money_column
from buron.backoffice.scope import ALL, EDIT, VIEW, ScopedAdminMixin
from buron.billing.models import Invoice, InvoiceLine, Payment, Seller, Status
from buron.billing.services import InvoiceRefused, invoice_draft_delete, invoice_draft_issue


@admin.register(Seller)
class SellerAdmin(ScopedAdminMixin):
    """The identity a network invoices under: set by its administrators."""

    list_display = ["legal_name", "network", "siren", "vat_number", "number_prefix"]
    list_select_related = ["network"]
    network_admin_can = EDIT | {VIEW}
    superuser_can = EDIT | {VIEW}
    scope_network_lookup = "network"


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin):
    """Employers and funders of a network, managed by its administrators."""

    list_display = ["legal_name", "network", "siren", "city", "is_public_body"]
    list_filter = [("network", admin.RelatedOnlyFieldListFilter), "is_public_body"]
    search_fields = ["legal_name", "siren"]
    list_select_related = ["network"]
    filter_horizontal = ["managers"]
    network_admin_can = ALL
    scope_network_lookup = "network"

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Managers are chosen among people who already have an account: any account, by
        # its email (the list itself is not scoped: people are not a network's rows).
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class InvoiceLineInline(admin.TabularInline[InvoiceLine, Invoice]):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = (
        "description",
        "service_start",
        "service_end",
        "quantity",
        "unit_price",
        "vat_rate",
        "vat_exemption_code",
        "net_amount",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description=_("Issue the selected drafts"))
def issue_drafts(
    modeladmin: InvoiceAdmin, request: HttpRequest, queryset: QuerySet[Invoice]
) -> None:
    issued = 0
    for invoice in queryset.filter(status=Status.DRAFT).order_by("pk"):
        try:
            invoice_draft_issue(invoice=invoice)
            issued += 1
        except InvoiceRefused as exc:
            modeladmin.message_user(
                request, f"{invoice}: {'; '.join(exc.messages)}", level=messages.ERROR
            )
    modeladmin.message_user(
        request, ngettext("%(n)d invoice issued.", "%(n)d invoices issued.", issued) % {"n": issued}
    )


@admin.action(description=_("Delete the selected drafts"))
def delete_drafts(
    modeladmin: InvoiceAdmin, request: HttpRequest, queryset: QuerySet[Invoice]
) -> None:
    for invoice in queryset.filter(status=Status.DRAFT):
        invoice_draft_delete(invoice=invoice)


@admin.register(Invoice)
class InvoiceAdmin(ScopedAdminMixin):
    """Invoices and credit notes: read-only; drafts are issued or deleted by actions."""

    list_display = [
        "__str__",
        "kind",
        "issued_on",
        "customer_name",
        "total_incl_vat_money",
        "status",
        "network",
    ]
    total_incl_vat_money = money_column(
        "total_incl_vat", Invoice._meta.get_field("total_incl_vat").verbose_name
    )
    list_filter = ["status", "kind", ("network", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "customer_name", "customer_siren"]
    list_select_related = ["network"]
    inlines = [InvoiceLineInline]
    actions = [issue_drafts, delete_drafts]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "network"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Invoice._meta.concrete_fields]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Payment)
class PaymentAdmin(ScopedAdminMixin):
    """Payments received: read-only, recorded by the payment services."""

    list_display = ["invoice", "amount_money", "method", "paid_on", "reference"]
    amount_money = money_column("amount", Payment._meta.get_field("amount").verbose_name)
    list_filter = ["method"]
    list_select_related = ["invoice"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "invoice__network"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Payment._meta.concrete_fields]
