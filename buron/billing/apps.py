from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


@checks.register(checks.Tags.security, deploy=True)
def fake_card_in_production(**kwargs: Any) -> list[checks.CheckMessage]:
    """The fake card provider takes no money: refused by `check --deploy` outside the demo."""
    adapter = getattr(settings, "BURON_PAYMENT_ADAPTER", "")
    if adapter.endswith("FakeCardPayments") and not getattr(settings, "BURON_DEMO", False):
        return [
            checks.Error(
                "BURON_PAYMENT_ADAPTER is the fake card provider: it takes no money.",
                hint="Use an online provider's adapter, or the offline default.",
                id="buron.billing.E001",
            )
        ]
    return []


class BillingConfig(AppConfig):
    name = "buron.billing"
    label = "billing"
    verbose_name = _("Invoices")

    def ready(self) -> None:
        from buron.accounts import privacy

        from . import services, shop

        shop.connect()
        # Invoices are kept ten years by law: exported, never erased.
        privacy.register("invoices", export=services.member_invoices_export)
