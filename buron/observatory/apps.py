from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservatoryConfig(AppConfig):
    """Read-only statistics over every app; nobody reads it in turn."""

    name = "buron.observatory"
    label = "observatory"
    verbose_name = _("Observatory")
