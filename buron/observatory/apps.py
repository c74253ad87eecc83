from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservatoryConfig(AppConfig):
    """Read-only statistics over every app; nobody reads it in turn."""

    name = "buron.observatory"
    label = "observatory"
    verbose_name = _("Observatory")

    def ready(self) -> None:
        from buron.attendance import events
        from buron.booking.participants import participant_register

        from .hooks import RollupParticipant
        from .tasks import site_days_changed

        events.on_visits_change(site_days_changed)
        participant_register(name="observatory", participant=RollupParticipant())
