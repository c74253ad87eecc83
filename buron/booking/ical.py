"""A member's bookings as an iCalendar feed (RFC 5545), for their calendar application.

Each booking is one event whose UID never changes. A cancelled booking stays in the feed
with STATUS:CANCELLED (and a higher SEQUENCE), so that a calendar which already holds the
event shows it cancelled instead of keeping a stale copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Booking, BookingStatus

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Buron//Bookings//EN"


def booking_uid(booking: Booking) -> str:
    host = urlparse(settings.SITE_URL).hostname or "buron.invalid"
    return f"booking-{booking.pk}@{host}"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def booking_event(booking: Booking) -> Event:
    from icalendar import Event  # loaded when a feed is asked for, not at start-up

    site = booking.site
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", _utc(booking.cancelled_at or booking.created_at))
    event.add("dtstart", _utc(booking.start))
    event.add("dtend", _utc(booking.end))
    event.add(
        "summary",
        _("%(resource)s at %(site)s") % {"resource": booking.resource.label, "site": site.name},
    )
    event.add("location", f"{site.address}, {site.postal_code} {site.commune_name}")
    if booking.status == BookingStatus.CANCELLED:
        event.add("status", "CANCELLED")
        event.add("sequence", 1)
    else:
        event.add("status", "CONFIRMED")
        event.add("sequence", 0)
    event.add("transp", "OPAQUE")
    return event


def bookings_calendar(bookings: Iterable[Booking], *, name: str) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for booking in bookings:
        calendar.add_component(booking_event(booking))
    feed: bytes = calendar.to_ical()
    return feed
