from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployersConfig(AppConfig):
    name = "buron.employers"
    label = "employers"
    verbose_name = _("Employer contracts")

    def ready(self) -> None:
        from buron.accounts import events

        from . import services

        events.on_status_change(services.employment_link_from_status)
