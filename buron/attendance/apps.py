from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "buron.attendance"
    label = "attendance"
    verbose_name = _("Attendance")

    def ready(self) -> None:
        from buron.accounts import events, privacy

        from . import privacy as visits

        events.on_status_change(visits.member_visits_restatus)
        privacy.register(
            "visits", export=visits.member_visits_export, erase=visits.member_visits_forget
        )
