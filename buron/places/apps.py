from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "buron.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        from . import rules

        rules.connect()
