"""Departures: what becomes of the bookings still to come when what they hold goes away.

One service for every departure: a member closing their account (or an administrator
closing it for them), a resource taken out of service, a site unpublished, a site closed for
some days. Each future booking concerned is moved to an equivalent free resource of the
same site when one is free and the departure allows it (a resource withdrawn), else
cancelled; the member gets the usual email (moved, or cancelled by the site) in their own
language, participants hear of it inside the same transaction as for any cancellation or
move (credits given back, audit log), and the caller gets the list to show the staff.

A booking made at the very moment of a departure is not left behind: each departure first
locks its site's row for update, which a booking being made there shares (rules.lock_member;
on SQLite, transactions run one at a time), so one waits for the other. A booking that got
there first is committed before the departure reads the bookings to vacate; one that comes
after sees the departure as it writes its slots, and is refused (store.slots_claim).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from buron.accounts.models import User
from buron.accounts.privacy import Affected
from buron.places.models import Closure, Resource, Site

from .. import participants
from ..errors import BookingRefused, SlotTaken
from ..models import Booking, BookingKind, BookingStatus
from .changes import booking_move, slots_free
from .notices import booking_cancelled_notify


def _person(booking: Booking) -> str:
    member = booking.member
    if member is None:
        return _("anonymous")
    return member.get_full_name() or member.email


def _cancel(booking: Booking, *, by: User, now: dt.datetime) -> bool:
    """Cancel one booking for a departure (no deadline holds: the site's side gives it up,
    or the member leaves). False when it was no longer active."""
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .filter(pk=booking.pk, status=BookingStatus.ACTIVE)
            .first()
        )
        if locked is None:
            return False
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
        slots_free(locked)
        booking_cancelled_notify(booking=locked, by=by)
        own = locked.member_id == by.pk
        participants.booking_cancelled(
            participants.BookingChange(
                booking=locked,
                by=by,
                reason=participants.Reason.MEMBER if own else participants.Reason.STAFF,
                outcome=locked.outcome,
            )
        )
    return True


def _equivalents(booking: Booking) -> list[Resource]:
    """Active resources of the same site, kind and unit holding at least as many people."""
    return list(
        Resource.objects.filter(
            site_id=booking.site_id,
            kind=booking.resource.kind,
            booking_unit=booking.resource.booking_unit,
            capacity__gte=booking.resource.capacity,
            is_active=True,
        )
        .exclude(pk=booking.resource_id)
        .order_by("capacity", "name")
    )


def _move_somewhere(booking: Booking, *, by: User) -> Booking | None:
    """Move the booking to the first equivalent resource free at its times, if any (the
    database's slot constraint says which is free; each try is its own savepoint)."""
    for candidate in _equivalents(booking):
        try:
            return booking_move(booking=booking, to=candidate, by=by)
        except (SlotTaken, BookingRefused):
            continue
    return None


def bookings_vacate(
    *, bookings: Iterable[Booking], by: User, reassign: bool, now: dt.datetime | None = None
) -> list[Affected]:
    """Give up these bookings: each is moved to an equivalent free resource of its site
    when `reassign` and one is free, else cancelled. Returns what became of each."""
    now = now or timezone.now()
    affected: list[Affected] = []
    for booking in bookings:
        moved = _move_somewhere(booking, by=by) if reassign else None
        if moved is not None:
            outcome = _("moved to %(resource)s") % {"resource": moved.resource.name}
        elif _cancel(booking, by=by, now=now):
            outcome = pgettext("a booking's outcome", "cancelled")
        else:
            continue
        affected.append(
            Affected(
                booking_id=booking.pk,
                site=booking.site.name,
                resource=booking.resource.name,
                start=booking.start,
                person=_person(booking),
                outcome=outcome,
                moved=moved is not None,
            )
        )
    return affected


def _future(now: dt.datetime) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(kind=BookingKind.BOOKING, status=BookingStatus.ACTIVE, start__gt=now)
        .select_related("site", "resource", "member")
        .order_by("start", "pk")
    )


@transaction.atomic
def resource_withdraw(
    *, resource: Resource, by: User, now: dt.datetime | None = None
) -> list[Affected]:
    """Take a resource out of service: it cannot be booked any more, and its bookings still
    to come move to an equivalent free resource of the site, or are cancelled."""
    now = now or timezone.now()
    # The site's row first, as every departure locks it: bookings there wait (see above).
    Site.objects.select_for_update().get(pk=resource.site_id)
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    resource.is_active = False
    return bookings_vacate(
        bookings=_future(now).filter(resource_id=resource.pk), by=by, reassign=True, now=now
    )


@transaction.atomic
def site_withdraw(*, site: Site, by: User, now: dt.datetime | None = None) -> list[Affected]:
    """Unpublish a site: nobody finds or books it any more, and its bookings still to come
    are cancelled (no other resource of the site can take them)."""
    now = now or timezone.now()
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if locked.is_published:
        locked.is_published = False
        locked.save(update_fields=["is_published"])
    site.is_published = False
    return bookings_vacate(
        bookings=_future(now).filter(site_id=site.pk), by=by, reassign=False, now=now
    )


@transaction.atomic
def closure_apply(*, closure: Closure, by: User, now: dt.datetime | None = None) -> list[Affected]:
    """A site closed for some days (the closure already saved): its bookings still to come
    on those days are cancelled (the whole site is closed: nowhere to move them)."""
    now = now or timezone.now()
    # The site's row locked as a withdrawal locks it: a booking being made there finishes
    # first (and is cancelled below), or waits and then sees the closure (store.slots_claim).
    Site.objects.select_for_update().get(pk=closure.site_id)
    bookings = (
        _future(now)
        .filter(
            site_id=closure.site_id,
            slots__is_active=True,
            slots__day__gte=closure.start_date,
            slots__day__lte=closure.end_date,
        )
        .distinct()
    )
    return bookings_vacate(bookings=bookings, by=by, reassign=False, now=now)


def member_bookings_vacate(user: User, *, now: dt.datetime | None = None) -> list[Affected]:
    """A member leaves: their bookings still to come are cancelled (their places go back
    to everyone), in the closing account's transaction."""
    now = now or timezone.now()
    return bookings_vacate(
        bookings=_future(now).filter(member=user), by=user, reassign=False, now=now
    )
