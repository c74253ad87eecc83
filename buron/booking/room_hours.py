"""Meeting- and visio-room hours bought in a service pack join the booking's transaction.

A room booked by the hour by a member holding a pack of hours for that kind of room spends
the booking's hours from the pack (offers' ledger); cancelled in time, they come back
(the offers-coverage participant gives back any spend of the booking, moves carry it).
"""

from __future__ import annotations

import math

from buron.offers import services as offers
from buron.places.models import ResourceKind

from . import participants
from .participants import BookingChange, Reason
from .slots import zone

NAME = "offers-room-hours"
_ROOMS = (ResourceKind.MEETING_ROOM, ResourceKind.VISIO_ROOM)


class RoomHours:
    """The participant: only room bookings of a member, never a move (coverage moves it)."""

    def booking_created(self, change: BookingChange) -> None:
        booking = change.booking
        if booking.member is None or change.reason == Reason.MOVED:
            return
        if booking.resource.kind not in _ROOMS:
            return
        hours = math.ceil((booking.end - booking.start).total_seconds() / 3600)
        day = booking.start.astimezone(zone(booking.site.network.time_zone)).date()
        found = offers.room_hours_spend(
            member=booking.member,
            network_id=booking.network_id,
            site_id=booking.site_id,
            booking_id=booking.pk,
            day=day,
            hours=hours,
            resource_kind=booking.resource.kind,
            by=change.by,
        )
        if found is not None:
            change.outcome.update(found.outcome())

    def booking_cancelled(self, change: BookingChange) -> None:
        """Given back by the offers-coverage participant (any spend of the booking)."""


def connect() -> None:
    """Register the participant (BookingConfig.ready)."""
    participants.participant_register(name=NAME, participant=RoomHours())
