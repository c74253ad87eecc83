from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The Django admin of every domain app, scoped by staff roles. It sits on top, like the
    public site and the API: it reads accounts' roles to scope places, offers and bookings,
    which those apps themselves may not do."""

    name = "buron.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")
