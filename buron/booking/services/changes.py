"""Cancel and move bookings; freed slots go back to a block that covers them."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope
from buron.core.dates import format_moment
from buron.places.models import Resource

from .. import participants, selectors, store
from ..errors import SlotTaken
from ..models import Booking, BookingKind, BookingSlot, BookingStatus
from .notices import booking_cancelled_notify, booking_moved_record
from .rules import refusal


def slots_free(booking: Booking) -> None:
    """Free a booking's slots; a block covering them takes them back at once."""
    freed = list(BookingSlot.objects.filter(booking=booking, is_active=True))
    BookingSlot.objects.filter(booking=booking, is_active=True).update(is_active=False)
    if booking.kind == BookingKind.BLOCK or not freed:
        return
    blocks = Booking.objects.filter(
        resource_id=booking.resource_id,
        kind=BookingKind.BLOCK,
        status=BookingStatus.ACTIVE,
        start__lt=booking.end,
        end__gt=booking.start,
    )
    for block in blocks:
        for slot in freed:
            try:
                with transaction.atomic():
                    BookingSlot.objects.create(
                        booking=block,
                        network_id=slot.network_id,
                        resource_id=slot.resource_id,
                        day=slot.day,
                        slot=slot.slot,
                    )
            except IntegrityError:
                continue


def can_manage(user: User, booking: Booking) -> bool:
    """Whether the user is staff of the booking's site (may cancel or move it at any time)."""
    return staff_scope(user=user).covers_site(booking.site)


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User, now: dt.datetime | None = None) -> Booking:
    """Cancel a booking. Its member may until the site's deadline; the site's staff always."""
    now = now or timezone.now()
    # Lock the booking's row only (not the site's nor the network's, joined for reading).
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("site__network")
        .get(pk=booking.pk)
    )
    is_staff = can_manage(by, booking)
    if booking.member_id != by.pk and not is_staff:
        raise refusal(_("This booking is not yours."), "not_owner")
    if booking.status == BookingStatus.CANCELLED:
        raise refusal(_("This booking is already cancelled."), "already_cancelled")
    own = booking.member_id == by.pk
    policy = selectors.policy_for(booking.site)
    deadline = booking.start - dt.timedelta(hours=policy.cancellation_deadline_hours)
    if not is_staff:
        if booking.end <= now:
            raise refusal(_("This booking is over."), "past")
        if now > deadline:
            raise refusal(
                _("Cancellation was possible until %(deadline)s (%(hours)s h before the start).")
                % {
                    "deadline": format_moment(deadline, zone=booking.site.network.time_zone),
                    "hours": policy.cancellation_deadline_hours,
                },
                "deadline_passed",
            )
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    slots_free(booking)
    booking_cancelled_notify(booking=booking, by=by)
    participants.booking_cancelled(
        participants.BookingChange(
            booking=booking,
            by=by,
            reason=participants.Reason.MEMBER if own else participants.Reason.STAFF,
            late=own and now > deadline,
            outcome=booking.outcome,
        )
    )
    return booking


@transaction.atomic
def booking_move(*, booking: Booking, to: Resource, by: User) -> Booking:
    """Move a booking to another resource of the same kind at the same times (staff only)."""
    booking = (
        Booking.objects.select_for_update().select_related("site", "resource").get(pk=booking.pk)
    )
    if not can_manage(by, booking):
        raise refusal(_("You do not manage this site."), "not_staff")
    if booking.status != BookingStatus.ACTIVE or booking.kind != BookingKind.BOOKING:
        raise refusal(_("Only a confirmed booking can be moved."), "not_active")
    # Same site, same kind: the same opening hours hold, and slots keep their meaning.
    if (
        to.site_id != booking.site_id
        or to.kind != booking.resource.kind
        or not to.is_active
        or to.pk == booking.resource_id
    ):
        raise refusal(
            _("Choose another active resource of the same kind at this site."),
            "wrong_resource",
            "resource",
        )
    slots = list(BookingSlot.objects.filter(booking=booking, is_active=True))
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    slots_free(booking)
    moved = Booking.objects.create(
        network_id=to.network_id,
        site_id=to.site_id,
        resource=to,
        member=booking.member,
        visitor_status=booking.visitor_status,
        employer_name=booking.employer_name,
        start=booking.start,
        end=booking.end,
        period=booking.period,
        series=booking.series,
        booked_by=by,
        note=booking.note,
    )
    # Claimed as a new booking claims them: refused when held, or when the resource has
    # just been withdrawn (this function's transaction then undoes the cancellation).
    if not store.slots_claim(
        [
            BookingSlot(
                booking=moved, network_id=to.network_id, resource=to, day=s.day, slot=s.slot
            )
            for s in slots
        ]
    ):
        raise SlotTaken(_("That resource is taken at that time."))
    participants.booking_cancelled(
        participants.BookingChange(
            booking=booking, by=by, reason=participants.Reason.MOVED, outcome=booking.outcome
        )
    )
    participants.booking_created(
        participants.BookingChange(
            booking=moved,
            by=by,
            reason=participants.Reason.MOVED,
            choices={"moved_from": str(booking.pk)},
            outcome=moved.outcome,
        )
    )
    booking_moved_record(old=booking, new=moved)
    return moved
