"""Bookings made, cancelled, moved or released by staff, in the staff audit log.

A booking participant (see buron.booking.participants): booking calls it inside the
booking's own transaction on every path (host pages, API, admin, departures), so no path
escapes the log and an entry commits or rolls back with its change. A member's own booking
or cancellation is not a staff change and is not recorded; a no-show release is recorded
without anyone (the system released it). The member is the entry's subject, so that their
erasure blanks what names them (notes, employer) while the entry stays.
"""

from __future__ import annotations

from typing import Any

from buron.booking.models import BookingStatus
from buron.booking.participants import BookingChange, Reason

from .models import AuditAction
from .services import audit_record, audit_snapshot


def _by_staff(change: BookingChange) -> bool:
    by = change.by
    return by is not None and by.pk != change.booking.member_id


def _as_it_was(after: dict[str, Any]) -> dict[str, Any]:
    """The booking's row before it was given up: active, never cancelled nor moved."""
    return {
        **after,
        "status": BookingStatus.ACTIVE.value,
        "cancelled_at": None,
        "moved_to_id": None,
    }


class BookingAudit:
    """Records each booking change made by staff (and each release) with the row before
    and after."""

    def booking_created(self, change: BookingChange) -> None:
        """A booking or block made by staff: the row as created."""
        if not _by_staff(change):
            return
        after = audit_snapshot(change.booking)
        if change.reason == Reason.MOVED:
            after["moved_from"] = change.choices.get("moved_from")
        audit_record(
            actor=change.by,
            obj=change.booking,
            action=AuditAction.CREATE,
            before=None,
            after=after,
            network_id=change.booking.network_id,
        )

    def booking_cancelled(self, change: BookingChange) -> None:
        """A booking cancelled or moved by staff, or released: before and after."""
        if change.reason != Reason.RELEASED and not _by_staff(change):
            return
        after = audit_snapshot(change.booking)
        after["reason"] = change.reason
        before = _as_it_was(after)
        before.pop("reason")
        audit_record(
            actor=change.by,
            obj=change.booking,
            action=AuditAction.CHANGE,
            before=before,
            after=after,
            network_id=change.booking.network_id,
        )
