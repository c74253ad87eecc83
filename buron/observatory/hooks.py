"""How the observatory hears of changes in the apps it reads: bookings made, cancelled,
moved or released (a booking participant) and visits recorded or corrected (attendance's
events). Each queues the recomputation of the site-days touched."""

from __future__ import annotations

from buron.booking.models import BookingSlot
from buron.booking.participants import BookingChange

from .tasks import site_days_changed


class RollupParticipant:
    """Queues the rollups of a booking's site-days when it is made or given up."""

    def _touch(self, change: BookingChange) -> None:
        booking = change.booking
        days = BookingSlot.objects.filter(booking=booking).values_list("day", flat=True)
        site_days_changed({(booking.site_id, day) for day in days.distinct()})

    def booking_created(self, change: BookingChange) -> None:
        self._touch(change)

    def booking_cancelled(self, change: BookingChange) -> None:
        self._touch(change)
