"""How the observatory hears of changes in the apps it reads: bookings made, cancelled,
moved or released (a booking participant) and visits recorded or corrected (attendance's
events). Each queues the recomputation of the site-days touched."""

from __future__ import annotations

import datetime as dt

from buron.booking.models import Booking, BookingSlot
from buron.booking.participants import BookingChange
from buron.booking.slots import zone
from buron.places.models import Site

from .tasks import site_days_changed


def _days(booking: Booking) -> set[dt.date]:
    """The days a booking's slots are on: from its times on its network's clock when its
    site and network are at hand (the booking paths load them), else read from its slots."""
    site = booking.site if Booking.site.is_cached(booking) else None
    if site is not None and Site.network.is_cached(site):
        tz = zone(site.network.time_zone)
        first = booking.start.astimezone(tz).date()
        last = (booking.end - dt.timedelta(microseconds=1)).astimezone(tz).date()
        return {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}
    return set(BookingSlot.objects.filter(booking=booking).values_list("day", flat=True))


class RollupParticipant:
    """Queues the rollups of a booking's site-days when it is made or given up."""

    def _touch(self, change: BookingChange) -> None:
        booking = change.booking
        site_days_changed({(booking.site_id, day) for day in _days(booking)})

    def booking_created(self, change: BookingChange) -> None:
        self._touch(change)

    def booking_cancelled(self, change: BookingChange) -> None:
        self._touch(change)
