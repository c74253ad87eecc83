"""What bookings hold about a member: the status they had on each day, their export, and
what closing an account erases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min

from buron.accounts.models import StatusPeriod, User
from buron.accounts.privacy import Affected

from ..models import Booking, BookingKind, BookingSeries
from .departures import member_bookings_vacate


def member_series_export(user: User) -> list[dict[str, Any]]:
    """The member's recurring bookings, for their data export."""
    return [
        {
            "id": series.pk,
            "site": series.site.slug,
            "kind": series.kind,
            "period": series.period,
            "weekdays": series.weekdays,
            "from": series.start_date.isoformat(),
            "until": series.end_date.isoformat(),
            "created_at": series.created_at.isoformat(),
        }
        for series in BookingSeries.objects.filter(member=user).select_related("site")
    ]


def _booker(booking: Booking, user: User) -> str:
    """Who made the booking: "self" (the member, who is not recorded as its booker), or
    the staff member who booked for them, by name."""
    if booking.booked_by_id is None or booking.booked_by_id == user.pk:
        return "self"
    booker = booking.booked_by
    return (booker.get_full_name() or booker.email) if booker is not None else ""


def member_bookings_export(user: User) -> list[dict[str, Any]]:
    """The member's bookings, cancelled, released and moved ones included, with who made
    each (themselves or a site's staff, named), for their data export."""
    return [
        {
            "id": b.pk,
            "site": b.site.slug,
            "resource": b.resource.name,
            "start": b.start.isoformat(),
            "end": b.end.isoformat(),
            "period": b.period,
            "status": b.status,
            "visitor_status": b.visitor_status,
            "employer_name": b.employer_name,
            "note": b.note,
            "booked_by": _booker(b, user),
            "created_at": b.created_at.isoformat(),
            "cancelled_at": b.cancelled_at.isoformat() if b.cancelled_at else None,
            "moved_to": b.moved_to_id,
            "series": b.series_id,
        }
        for b in Booking.objects.filter(member=user, kind=BookingKind.BOOKING)
        .select_related("site", "resource", "booked_by")
        .order_by("start", "pk")
    ]


def member_bookings_made_export(user: User) -> list[dict[str, Any]]:
    """The bookings and blocks this person made for others or for a site (as staff): what
    and when, not who the other person is."""
    return [
        {
            "id": b.pk,
            "kind": b.kind,
            "site": b.site.slug,
            "resource": b.resource.name,
            "start": b.start.isoformat(),
            "end": b.end.isoformat(),
            "status": b.status,
            "created_at": b.created_at.isoformat(),
        }
        for b in Booking.objects.filter(booked_by=user)
        .exclude(member=user)
        .select_related("site", "resource")
        .order_by("start", "pk")
    ]


def member_bookings_forget(user: User) -> list[Affected]:
    """The member's bookings still to come are cancelled (their places go back to
    everyone); all their bookings stay for statistics, without what is personal (the
    employer's name, the notes), with the status they had on each day."""
    affected = member_bookings_vacate(user)
    Booking.objects.filter(member=user).update(employer_name="", note="")
    BookingSeries.objects.filter(member=user).update(member=None)
    return affected


def member_bookings_restatus(user: User, valid_from: dt.date) -> int:
    """After a status change from `valid_from` on, the member's bookings from that day on
    take the status in force on their own day (a booking remembers who came that day)."""
    periods = list(StatusPeriod.objects.filter(user=user).order_by("valid_from"))
    if not periods:
        return 0
    bookings = (
        Booking.objects.filter(member=user, kind=BookingKind.BOOKING)
        .annotate(day=Min("slots__day"))
        .filter(day__gte=valid_from)
    )
    changed = 0
    for booking in bookings:
        in_force = [p for p in periods if p.valid_from <= booking.day] or periods[:1]
        period = in_force[-1]
        if (booking.visitor_status, booking.employer_name) != (period.status, period.employer_name):
            booking.visitor_status = period.status
            booking.employer_name = period.employer_name
            booking.save(update_fields=["visitor_status", "employer_name"])
            changed += 1
    return changed
