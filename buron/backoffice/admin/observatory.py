"""Admin of the observatory's settings: the national reference a network's operator enters."""

from django.contrib import admin

from buron.backoffice.scope import ADD, CHANGE, VIEW, ScopedAdminMixin
from buron.observatory.models import ObservatorySettings


@admin.register(ObservatorySettings)
class ObservatorySettingsAdmin(ScopedAdminMixin):
    """A network's national reference share of salaried remote workers and its source:
    its administrators change them, hosts do not."""

    list_display = ["network", "salaried_reference_share", "salaried_reference_source"]
    list_select_related = ["network"]
    network_admin_can = frozenset({VIEW, ADD, CHANGE})
    scope_network_lookup = "network"
