from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from buron.backoffice.admin.money import money_column
from buron.backoffice.scope import ALL, EDIT, VIEW, ScopedAdminMixin, request_scope
from buron.offers.models import LedgerEntry, Offer, Proof, Right, Sale, SaleLine
from buron.places.models import Site


class OfferForm(forms.ModelForm[Offer]):
    class Meta:
        model = Offer
        fields = [
            "network",
            "sites",
            "kind",
            "name_fr",
            "name_en",
            "net_price",
            "vat_rate",
            "vat_exemption_reason",
            "vat_exemption_code",
            "category",
            "is_active",
            "valid_from",
            "valid_until",
            "credits",
            "validity_days",
            "validity_months",
            "days_per_week",
            "half_day_credits",
            "day_credits",
            "service",
            "quantity",
            "position",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        network = data.get("network")
        sites = data.get("sites")
        if network is not None and sites and any(s.network_id != network.pk for s in sites):
            self.add_error(
                "sites",
                forms.ValidationError(
                    _("These sites belong to another network than the offer."),
                    code="site_in_other_network",
                ),
            )
        return data


@admin.register(Offer)
class OfferAdmin(ScopedAdminMixin):
    """A network's catalogue: its administrators manage it (optionally narrowed to some
    sites); site hosts read it."""

    form = OfferForm
    list_display = ["__str__", "network", "kind", "net_price_money", "vat_rate", "is_active"]
    net_price_money = money_column("net_price", Offer._meta.get_field("net_price").verbose_name)
    list_filter = [("network", admin.RelatedOnlyFieldListFilter), "kind", "is_active"]
    list_select_related = ["network"]
    filter_horizontal = ["sites"]
    network_admin_can = ALL
    site_host_can = frozenset({VIEW})
    scope_network_lookup = "network"
    scope_site_lookup = "network__sites"

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        scope = request_scope(request)
        if db_field.name == "sites" and not scope.everything:
            kwargs["queryset"] = Site.objects.filter(network_id__in=self._network_ids(scope, EDIT))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Proof)
class ProofAdmin(ScopedAdminMixin):
    """Proofs of a category (job seeker, student): hosts of the site and the network's
    administrators read them (they decide on the staff pages' service, proof_decide)."""

    list_display = ["member", "category", "site", "status", "decided_at"]
    list_filter = ["status", "category"]
    list_select_related = ["member", "site"]
    network_admin_can = frozenset({VIEW})
    site_host_can = frozenset({VIEW})
    superuser_can = frozenset({VIEW})
    scope_network_lookup = "network"
    scope_site_lookup = "site"


class SaleLineInline(admin.TabularInline[SaleLine, Sale]):
    model = SaleLine
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in SaleLine._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sale)
class SaleAdmin(ScopedAdminMixin):
    """Sales, read-only: a host reads their site's, an administrator their network's."""

    list_display = ["created_at", "site", "member", "payment_method", "total_incl_vat_money"]
    total_incl_vat_money = money_column(
        "total_incl_vat", Sale._meta.get_field("total_incl_vat").verbose_name
    )
    list_filter = ["payment_method"]
    list_select_related = ["site", "member"]
    inlines = [SaleLineInline]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    site_host_can = frozenset({VIEW})
    scope_network_lookup = "network"
    scope_site_lookup = "site"


@admin.register(Right)
class RightAdmin(ScopedAdminMixin):
    """Members' rights, read-only (the ledger changes through the services only)."""

    list_display = ["member", "offer", "kind", "starts_on", "expires_on", "auto_renew"]
    list_filter = ["kind"]
    list_select_related = ["member", "offer"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "network"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin):
    """The credit ledger, append-only: read-only for everyone."""

    list_display = ["created_at", "right", "kind", "credits", "booking_id", "day"]
    list_filter = ["kind"]
    list_select_related = ["right"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "right__network"
