"""Release a booking whose member did not come: its slots are freed for others and it
stays on record as released (a no-show). Who decides that nobody came is up to the caller
(attendance, which knows about check-ins); it checks under the lock this takes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .. import participants
from ..models import Booking, BookingKind, BookingStatus
from .changes import slots_free


def booking_release(
    *,
    booking: Booking,
    nobody_came: Callable[[Booking], bool],
    now: dt.datetime | None = None,
) -> Booking | None:
    """Release an active booking of a member as a no-show; None when it is not active any
    more or `nobody_came` (called with the booking's row locked) says someone came."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("site__network", "member")
            .filter(pk=booking.pk, status=BookingStatus.ACTIVE, kind=BookingKind.BOOKING)
            .first()
        )
        if locked is None or not nobody_came(locked):
            return None
        locked.status = BookingStatus.RELEASED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
        slots_free(locked)
        # A no-show's right is consumed, as a late cancellation's is.
        participants.booking_cancelled(
            participants.BookingChange(
                booking=locked,
                by=None,
                reason=participants.Reason.RELEASED,
                late=True,
                outcome=locked.outcome,
            )
        )
    return locked
