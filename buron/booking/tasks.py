"""Background work of the booking app: the emails about bookings.

Every email speaks the member's language (their profile's, else the one of the request that
caused it), is sent in the network's name, and has an HTML and a plain-text part (see
buron.core.emails)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import translation
from django_tasks import task

from buron.accounts.models import MemberProfile, User
from buron.core.emails import email_render, email_send_now
from buron.offers.selectors import coverage_for_bookings

from .models import Booking, BookingStatus

MOVED = "moved"
CANCELLED_BY_MEMBER = "cancelled_by_member"
CANCELLED_BY_HOST = "cancelled_by_host"
NOTICES = {MOVED, CANCELLED_BY_MEMBER, CANCELLED_BY_HOST}

_RELATED = ("member", "site", "resource", "network")


def _profile(member: User) -> MemberProfile | None:
    return MemberProfile.objects.filter(user=member).first()


def _language(profile: MemberProfile | None, asked: str) -> str:
    return profile.language if profile is not None else asked


def _send(*, member: User, prefix: str, context: dict[str, Any], language: str) -> None:
    network = context["network"]
    with translation.override(language):
        message = email_render(
            prefix=prefix,
            context={
                **context,
                "member": member,
                "site_url": settings.SITE_URL,
                "network_name": network.name,
                "language": language,
            },
        )
    email_send_now(to=[member.email], message=message, sender_name=network.name)


@task()
def booking_confirmation_send(*, booking_ids: list[int], language: str) -> int:
    """Email the member a confirmation of one or more bookings (several for a series),
    unless they chose not to get confirmations of what they book themselves (a booking a
    host made for them is always confirmed)."""
    bookings = list(
        Booking.objects.filter(pk__in=booking_ids, member__isnull=False)
        .select_related(*_RELATED)
        .order_by("start")
    )
    if not bookings:
        return 0
    member = bookings[0].member
    if member is None or not member.is_active:
        return 0
    profile = _profile(member)
    by_host = any(b.booked_by_id is not None and b.booked_by_id != member.pk for b in bookings)
    if profile is not None and not profile.email_confirmations and not by_host:
        return 0
    covered = coverage_for_bookings(booking_ids=[b.pk for b in bookings])
    _send(
        member=member,
        prefix="booking/email/confirmed",
        context={
            "bookings": bookings,
            # Each booking with what pays for it (a right, or the price due).
            "lines": [(b, covered.get(b.pk)) for b in bookings],
            "network": bookings[0].network,
            "by_host": by_host,
        },
        language=_language(profile, language),
    )
    return len(bookings)


@task()
def booking_notice_send(*, booking_id: int, notice: str, language: str) -> int:
    """Email the member that a booking was moved (where to) or cancelled (by them or by a
    host). A member's own cancellation is confirmed only if they want confirmations."""
    if notice not in NOTICES:
        raise ValueError(f"unknown notice {notice!r}")
    booking = (
        Booking.objects.filter(pk=booking_id, member__isnull=False)
        .select_related(*_RELATED, "moved_to__resource")
        .first()
    )
    if booking is None or booking.member is None or not booking.member.is_active:
        return 0
    member = booking.member
    profile = _profile(member)
    if notice == CANCELLED_BY_MEMBER and profile is not None and not profile.email_confirmations:
        return 0
    if notice == MOVED and booking.moved_to is None:
        return 0
    _send(
        member=member,
        prefix="booking/email/moved" if notice == MOVED else "booking/email/cancelled",
        context={
            "booking": booking,
            "moved_to": booking.moved_to,
            "by_host": notice == CANCELLED_BY_HOST,
            "network": booking.network,
        },
        language=_language(profile, language),
    )
    return 1


@task()
def booking_reminders_send(*, day: str) -> int:
    """Remind each member who wants it of their bookings on `day` (ISO date), one email
    per member. Run once a day, the day before (see the booking_reminders command)."""
    start = dt.date.fromisoformat(day)
    bookings = list(
        Booking.objects.filter(
            status=BookingStatus.ACTIVE,
            kind="booking",
            member__isnull=False,
            member__is_active=True,
            member__profile__email_reminders=True,
            slots__day=start,
            slots__is_active=True,
        )
        .distinct()
        .select_related(*_RELATED)
        .order_by("member_id", "start")
    )
    by_member: dict[int, list[Booking]] = {}
    for booking in bookings:
        by_member.setdefault(booking.member_id or 0, []).append(booking)
    for items in by_member.values():
        member = items[0].member
        if member is None:
            continue
        _send(
            member=member,
            prefix="booking/email/reminder",
            context={"bookings": items, "network": items[0].network, "day": start},
            language=_language(_profile(member), "fr"),
        )
    return len(by_member)
