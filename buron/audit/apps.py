from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "buron.audit"
    label = "audit"
    verbose_name = _("Staff audit log")

    def ready(self) -> None:
        from buron.accounts import privacy
        from buron.booking.participants import participant_register

        from . import services
        from .bookings import BookingAudit

        privacy.register(
            "staff_audit", export=services.audit_actor_export, erase=services.audit_forget
        )
        participant_register(name="audit", participant=BookingAudit())
