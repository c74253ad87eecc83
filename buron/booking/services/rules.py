"""The rules a booking must pass before it holds anything."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.places.models import Resource, ResourceKind, Site
from buron.places.selectors import DaySchedule

from .. import selectors
from ..errors import BookingRefused
from ..models import Booking, BookingKind, BookingStatus
from ..slots import Span, zone

HALF_DAY_KINDS = (ResourceKind.DESK, ResourceKind.PRIVATE_OFFICE)


def refusal(message: str, code: str, field: str | None = None) -> BookingRefused:
    if field:
        return BookingRefused({field: [BookingRefused(message, code=code)]})
    return BookingRefused(message, code=code)


def lock_member(member: User) -> None:
    """Serialise one member's concurrent bookings (their per-day limit is counted below)."""
    User.objects.select_for_update().filter(pk=member.pk).first()


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


def check_when(site: Site, span: Span, now: dt.datetime) -> None:
    """Not over yet, and not further ahead than the site's rules allow (counted in days of
    the network's time zone, the zone the span's day is in)."""
    if span.end <= now:
        raise refusal(_("This time is already over."), "past", "date")
    policy = selectors.policy_for(site)
    today = now.astimezone(zone(site.network.time_zone)).date()
    last_day = today + dt.timedelta(days=policy.horizon_days)
    if span.day > last_day:
        raise refusal(
            _("Bookings open %(days)s days ahead: choose a day until %(last)s.")
            % {"days": policy.horizon_days, "last": date_format(last_day, "DATE_FORMAT")},
            "too_far_ahead",
            "date",
        )


def check_member(member: User, resource: Resource, span: Span) -> None:
    """A person is in one place at a time: no second desk or office during a half-day they
    already hold one, no second room during hours they hold one (a desk and a meeting room
    together are fine); and no more bookings a day than the site allows."""
    if not member.is_active:
        raise refusal(_("This account is closed."), "member_inactive")
    policy = selectors.policy_for(resource.site)
    same_day = Booking.objects.filter(
        member=member,
        kind=BookingKind.BOOKING,
        status=BookingStatus.ACTIVE,
        slots__day=span.day,
        slots__is_active=True,
    ).distinct()
    overlapping = same_day.filter(
        resource__booking_unit=resource.booking_unit, start__lt=span.end, end__gt=span.start
    )
    if overlapping.exists():
        raise refusal(_("You already have a booking at that time."), "member_overlap", "date")
    if same_day.count() >= policy.max_per_member_per_day:
        raise refusal(
            _("You may hold at most %(count)s bookings on one day.")
            % {"count": policy.max_per_member_per_day},
            "member_daily_limit",
            "date",
        )
