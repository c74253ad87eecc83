"""Participants: how other apps join a booking's transaction without patching booking.

An app that must act when a booking is made or given up (the offers ledger debits a credit,
billing records who pays, an audit trail writes an entry) registers a participant at start-up
(in its AppConfig.ready). Booking calls every registered participant inside the booking's own
transaction, on every path that creates or cancels one (API, member pages, host pages,
recurring series, moves, releases): what a participant writes commits or rolls back with the
booking. A participant refuses by raising BookingRefused: the booking is rolled back and the
refusal's message reaches the person who asked, as any other rule's would.

Participants are code, registered once per process; they keep no state between calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.db import transaction

if TYPE_CHECKING:
    from buron.accounts.models import User

    from .models import Booking


class Reason:
    """Why a booking was cancelled, as participants are told."""

    MEMBER = "member"  # the member, before the deadline
    STAFF = "staff"  # the site's staff
    MOVED = "moved"  # replaced by a booking of another resource at the same times
    RELEASED = "released"  # given up for the member (e.g. a no-show)


@dataclass
class BookingChange:
    """One booking made or cancelled, as participants see it.

    `choices` carries what the person asking chose for the other apps (for example
    `{"payer": "employer:12"}`); booking passes it on untouched. Participants may write
    what they decided into `outcome` (for example `{"covered_by": "carnet"}`), which the
    caller shows beside the booking."""

    booking: Booking
    by: User | None
    choices: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    late: bool = False
    outcome: dict[str, str] = field(default_factory=dict)


class BookingParticipant(Protocol):
    """What an app registers to join bookings' transactions."""

    def booking_created(self, change: BookingChange) -> None:
        """Called inside the transaction that made change.booking; may raise
        BookingRefused to roll it back."""

    def booking_cancelled(self, change: BookingChange) -> None:
        """Called inside the transaction that cancelled change.booking (change.late: after
        the member's cancellation deadline); may raise BookingRefused to roll it back."""


_participants: dict[str, BookingParticipant] = {}


def participant_register(
    *, name: str, participant: BookingParticipant, before: str | None = None
) -> None:
    """Register (or replace) the participant known by that name; called before the one
    named `before` when it is registered (e.g. who pays is decided before what covers)."""
    _participants.pop(name, None)
    if before is None or before not in _participants:
        _participants[name] = participant
        return
    ordered = list(_participants.items())
    at = [key for key, _value in ordered].index(before)
    ordered.insert(at, (name, participant))
    _participants.clear()
    _participants.update(ordered)


def participant_unregister(*, name: str) -> None:
    """Forget a participant (tests register their own and take them away again)."""
    _participants.pop(name, None)


def registered() -> list[BookingParticipant]:
    """The registered participants, in the order of registration."""
    return list(_participants.values())


def _in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Booking participants are called inside the booking's transaction.")


def booking_created(change: BookingChange) -> None:
    """Tell every participant that change.booking was made (inside its transaction)."""
    if not _participants:
        return
    _in_transaction()
    for participant in registered():
        participant.booking_created(change)


def booking_cancelled(change: BookingChange) -> None:
    """Tell every participant that change.booking was cancelled (inside its transaction)."""
    if not _participants:
        return
    _in_transaction()
    for participant in registered():
        participant.booking_cancelled(change)
