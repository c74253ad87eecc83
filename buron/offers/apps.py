from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "buron.offers"
    label = "offers"
    verbose_name = _("Offers and prices")

    def ready(self) -> None:
        from buron.accounts import privacy

        from . import selectors, services

        privacy.register(
            "offers", export=selectors.member_offers_export, erase=services.member_offers_forget
        )
