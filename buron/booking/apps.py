from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "buron.booking"
    label = "booking"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        from buron.accounts import events, privacy

        from . import coverage, payer, room_hours, services, site_rules

        site_rules.connect()
        coverage.connect()
        payer.connect()
        room_hours.connect()

        events.on_status_change(services.member_bookings_restatus)
        privacy.register(
            "bookings",
            export=services.member_bookings_export,
            erase=services.member_bookings_forget,
        )
        # Recurring bookings are let go of by member_bookings_forget above.
        privacy.register("recurring_bookings", export=services.member_series_export)
        privacy.register("bookings_made_for_others", export=services.member_bookings_made_export)
