from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "buron.billing"
    label = "billing"
    verbose_name = _("Invoices")

    def ready(self) -> None:
        from buron.accounts import privacy

        from . import services

        # Invoices are kept ten years by law: exported, never erased.
        privacy.register("invoices", export=services.member_invoices_export)
