"""The offers ledger joins every booking's transaction (a booking participant).

A desk booking made is covered by the member's cheapest right that applies (welcome pack,
subscription day, carnet credits), else recorded as pay-as-you-go at the site's published
pass; a booking cancelled in time gives its credit back, a late one consumes it; a move
keeps the coverage. What covered it is reported in `change.outcome` ({"covered_by":
"carnet", "right": "12", "payer": "member"}) and kept by offers, so that lists show it.

Booking calls offers here (booking sits above offers); offers never reads bookings.
"""

from __future__ import annotations

from buron.offers import services as offers

from . import participants
from .participants import BookingChange, Reason
from .slots import zone

NAME = "offers-coverage"


class Coverage:
    """The participant: offers' services called with what booking knows of the change."""

    def booking_created(self, change: BookingChange) -> None:
        booking = change.booking
        moved_from = change.choices.get("moved_from")
        if change.reason == Reason.MOVED and moved_from:
            found = offers.coverage_move(
                from_booking_id=int(moved_from), to_booking_id=booking.pk, by=change.by
            )
        elif booking.member is None or "payer" in change.outcome:
            return  # nobody to cover, or another participant's payer (an employer) pays
        else:
            day = booking.start.astimezone(zone(booking.site.network.time_zone)).date()
            found = offers.coverage_for_booking(
                member=booking.member,
                network_id=booking.network_id,
                site_id=booking.site_id,
                booking_id=booking.pk,
                day=day,
                period=booking.period,
                resource_kind=booking.resource.kind,
                by=change.by,
            )
        if found is not None:
            change.outcome.update(found.outcome())

    def booking_cancelled(self, change: BookingChange) -> None:
        if change.reason == Reason.MOVED:
            return  # the booking it moves to takes its coverage (booking_created above)
        found = offers.coverage_give_back(
            booking_id=change.booking.pk, late=change.late, by=change.by
        )
        if found is not None:
            change.outcome.update(found.outcome())
            change.outcome["given_back"] = "yes" if found.given_back else "no"


def connect() -> None:
    """Register the participant (BookingConfig.ready)."""
    participants.participant_register(name=NAME, participant=Coverage())
