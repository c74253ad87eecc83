from django.contrib import admin

from buron.backoffice.scope import ALL, ScopedAdminMixin
from buron.offers.models import Price


@admin.register(Price)
class PriceAdmin(ScopedAdminMixin):
    """A network's prices: its administrators set them; site hosts do not see them."""

    list_display = ["__str__", "network", "site", "resource_kind", "unit", "amount", "position"]
    list_filter = [("network", admin.RelatedOnlyFieldListFilter), "resource_kind", "unit"]
    list_select_related = ["network", "site"]
    network_admin_can = ALL
    scope_network_lookup = "network"
    scope_site_lookup = "site"
