"""Block a resource for maintenance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope
from buron.places.models import BookingUnit, Resource

from ..errors import SlotTaken
from ..models import Booking, BookingKind, BookingSlot, BookingStatus, Period
from ..slots import local_datetime
from .rules import refusal
from .series import MAX_SERIES_DAYS


@dataclass
class BlockResult:
    block: Booking
    to_move: list[Booking]


@transaction.atomic
def resource_block(
    *,
    resource: Resource,
    start_date: dt.date,
    end_date: dt.date,
    by: User,
    note: str = "",
) -> BlockResult:
    """Block a resource for some days (maintenance). The free slots are held at once; the
    bookings already there are listed to be moved, and their slots go to the block as soon
    as they are cancelled or moved."""
    site = resource.site
    if not staff_scope(user=by).covers_site(site):
        raise refusal(_("You do not manage this site."), "not_staff")
    if end_date < start_date:
        raise refusal(_("The last day must come after the first."), "end_before_start", "end_date")
    if (end_date - start_date).days > MAX_SERIES_DAYS:
        raise refusal(_("A block lasts one year at most."), "too_long", "end_date")
    tz = site.network.time_zone
    block = Booking.objects.create(
        network_id=resource.network_id,
        site=site,
        resource=resource,
        kind=BookingKind.BLOCK,
        start=local_datetime(start_date, dt.time(0), tz),
        end=local_datetime(end_date + dt.timedelta(days=1), dt.time(0), tz),
        period=Period.DAY,
        booked_by=by,
        note=note,
    )
    all_slots = range(24) if resource.booking_unit == BookingUnit.HOUR else range(2)
    held = set(
        BookingSlot.objects.filter(
            resource=resource, day__gte=start_date, day__lte=end_date, is_active=True
        ).values_list("day", "slot")
    )
    day = start_date
    new_slots: list[BookingSlot] = []
    while day <= end_date:
        new_slots.extend(
            BookingSlot(
                booking=block, network_id=resource.network_id, resource=resource, day=day, slot=s
            )
            for s in all_slots
            if (day, s) not in held
        )
        day += dt.timedelta(days=1)
    # The database still has the last word: a booking committed since the read above
    # makes this fail as a whole, and the host simply tries again.
    try:
        with transaction.atomic():
            BookingSlot.objects.bulk_create(new_slots)
    except IntegrityError as exc:
        raise SlotTaken(_("A booking was just made on this resource: please try again.")) from exc
    to_move = list(
        Booking.objects.filter(
            resource=resource,
            kind=BookingKind.BOOKING,
            status=BookingStatus.ACTIVE,
            start__lt=block.end,
            end__gt=block.start,
        )
        .select_related("member")
        .order_by("start")
    )
    return BlockResult(block, to_move)
