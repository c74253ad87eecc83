"""The rules a booking must pass before it holds anything."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.places.models import ResourceKind, Site
from buron.places.selectors import DaySchedule

from ..errors import BookingRefused
from ..models import Booking, BookingKind, BookingPolicy, BookingStatus
from ..slots import Span, zone

HALF_DAY_KINDS = (ResourceKind.DESK, ResourceKind.PRIVATE_OFFICE)


def refusal(message: str, code: str, field: str | None = None) -> BookingRefused:
    if field:
        return BookingRefused({field: [BookingRefused(message, code=code)]})
    return BookingRefused(message, code=code)


def lock_member(member: User) -> None:
    """Serialise one member's concurrent bookings (their per-day limit is counted below).

    On PostgreSQL the member's row is locked until the transaction ends. SQLite has no row
    locks: its transactions begin IMMEDIATE (config.settings), so a booking transaction
    already holds the database's single write lock and nothing more is needed."""
    if connection.features.has_select_for_update:
        User.objects.select_for_update().filter(pk=member.pk).values_list("pk").first()


def check_site_open(site: Site, schedule: DaySchedule) -> None:
    if not site.is_published:
        raise refusal(_("This site does not take bookings."), "site_unpublished", "site")
    if schedule.closed_because is not None:
        raise refusal(
            _("%(site)s is closed on %(day)s (%(reason)s).")
            % {
                "site": site.name,
                "day": date_format(schedule.day, "DATE_FORMAT"),
                "reason": schedule.closed_because,
            },
            "closed",
            "date",
        )


def check_when(site: Site, span: Span, now: dt.datetime, policy: BookingPolicy) -> None:
    """Not over yet, and not further ahead than the site's rules allow (counted in days of
    the network's time zone, the zone the span's day is in)."""
    if span.end <= now:
        raise refusal(_("This time is already over."), "past", "date")
    today = now.astimezone(zone(site.network.time_zone)).date()
    last_day = today + dt.timedelta(days=policy.horizon_days)
    if span.day > last_day:
        raise refusal(
            _("Bookings open %(days)s days ahead: choose a day until %(last)s.")
            % {"days": policy.horizon_days, "last": date_format(last_day, "DATE_FORMAT")},
            "too_far_ahead",
            "date",
        )


def check_member(member: User, unit: str, span: Span, policy: BookingPolicy) -> None:
    """A person is in one place at a time: no second desk or office during a half-day they
    already hold one, no second room during hours they hold one (a desk and a meeting room
    together are fine); and no more bookings a day than the site allows.

    One read of the member's active bookings holding a slot that day, judged here."""
    if not member.is_active:
        raise refusal(_("This account is closed."), "member_inactive")
    same_day = set(
        Booking.objects.filter(
            member=member,
            kind=BookingKind.BOOKING,
            status=BookingStatus.ACTIVE,
            slots__day=span.day,
            slots__is_active=True,
        ).values_list("pk", "resource__booking_unit", "start", "end")
    )
    if any(u == unit and start < span.end and end > span.start for _pk, u, start, end in same_day):
        raise refusal(_("You already have a booking at that time."), "member_overlap", "date")
    if len(same_day) >= policy.max_per_member_per_day:
        raise refusal(
            _("You may hold at most %(count)s bookings on one day.")
            % {"count": policy.max_per_member_per_day},
            "member_daily_limit",
            "date",
        )
