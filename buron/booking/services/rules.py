"""The rules a booking must pass before it holds anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buron.accounts.models import StatusPeriod, User
from buron.core import sql
from buron.places.models import ResourceKind, Site
from buron.places.selectors import DaySchedule

from ..errors import BookingRefused
from ..models import Booking, BookingKind, BookingPolicy, BookingSlot, BookingStatus
from ..slots import Span, zone

HALF_DAY_KINDS = (ResourceKind.DESK, ResourceKind.PRIVATE_OFFICE)


def refusal(message: str, code: str, field: str | None = None) -> BookingRefused:
    if field:
        return BookingRefused({field: [BookingRefused(message, code=code)]})
    return BookingRefused(message, code=code)


def lock_member(member: User) -> None:
    """Serialise one member's concurrent bookings (their per-day limit is counted after).

    On PostgreSQL the member's row is locked until the transaction ends; the member's day
    must then be read by a later statement, whose snapshot sees what a concurrent booking
    of theirs committed meanwhile. SQLite has no row locks: its transactions begin
    IMMEDIATE (config.settings), so a booking transaction already holds the database's
    single write lock and nothing more is needed."""
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM accounts_user WHERE id = %s FOR UPDATE", [member.pk])


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


@dataclass(frozen=True)
class MemberDay:
    """What a new booking needs to know of its member that day."""

    is_active: bool
    held: int  # active bookings holding a slot that day
    overlapping: int  # of those, the ones of the same unit overlapping the new span
    status: str  # the status in force that day (buron.accounts.selectors.status_on)
    employer_name: str


# Wider than any two starts on one date in two time zones (24 h of a day + 26 h of offsets).
MEMBER_DAY_REACH = dt.timedelta(days=3)


# A member's day (see member_day): the account's state, the counts of its bookings that
# day, and one row per status period; its parameters come from _member_day_params.
MEMBER_DAY_COLUMNS = (
    "u.is_active",
    "d.held",
    "d.overlapping",
    "p.status",
    "p.employer_name",
    "p.valid_from",
)
MEMBER_DAY_SOURCE = (
    "accounts_user u CROSS JOIN (SELECT COUNT(*) AS held,"
    " COALESCE(SUM(CASE WHEN r.booking_unit = %s"
    ' AND b."start" < %s AND b."end" > %s THEN 1 ELSE 0 END), 0) AS overlapping'
    " FROM booking_booking b JOIN places_resource r ON r.id = b.resource_id"
    ' WHERE b.member_id = %s AND b."start" > %s AND b."start" < %s'
    " AND b.kind = %s AND b.status = %s AND EXISTS (SELECT 1 FROM booking_bookingslot s"
    " WHERE s.booking_id = b.id AND s.day = %s AND s.is_active)) d"
    " LEFT JOIN accounts_statusperiod p ON p.user_id = u.id"
)


def member_day_params(member: User, unit: str, span: Span) -> list[Any]:
    return [
        unit,
        sql.param(Booking, "start", span.end),
        sql.param(Booking, "end", span.start),
        member.pk,
        sql.param(Booking, "start", span.start - MEMBER_DAY_REACH),
        sql.param(Booking, "start", span.start + MEMBER_DAY_REACH),
        BookingKind.BOOKING,
        BookingStatus.ACTIVE,
        sql.param(BookingSlot, "day", span.day),
    ]


def member_day(member: User, unit: str, span: Span) -> MemberDay:
    """One statement: the account's state, its bookings that day and its status periods
    (one row per period, oldest first; the counts come with each).

    A slot's day is a date on its own network's clock, and one member may book in
    networks from UTC-12 to UTC+14: bookings holding a slot on that date start at most
    50 hours from the span's start. Only the member's bookings starting within
    MEMBER_DAY_REACH of it are read, through the (member, start) index, so the cost does
    not grow with the member's history; the slots' day then decides exactly."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.select(
                *MEMBER_DAY_COLUMNS,
                rest="FROM " + MEMBER_DAY_SOURCE + " WHERE u.id = %s ORDER BY p.valid_from",
            ),
            [*member_day_params(member, unit, span), member.pk],
        )
        return member_day_from_rows(cursor.fetchall(), span)


def member_day_from_rows(rows: Sequence[Sequence[Any]], span: Span) -> MemberDay:
    """A member's day from rows that begin with MEMBER_DAY_COLUMNS (status
    periods oldest first; a row may repeat a period when joined to other rows)."""
    if not rows:
        return MemberDay(False, 0, 0, "other", "")
    is_active, held, overlapping = rows[0][:3]
    periods: list[tuple[dt.date, str, str]] = []
    for r in rows:
        if r[3] is None:
            continue
        period = (sql.read(StatusPeriod, "valid_from", r[5]), r[3], r[4])
        if not periods or periods[-1] != period:
            periods.append(period)
    # The latest period started by that day, else the first one (as status_on).
    started = [p for p in periods if p[0] <= span.day]
    chosen = started[-1] if started else (periods[0] if periods else None)
    return MemberDay(
        is_active=bool(is_active),
        held=held,
        overlapping=overlapping,
        status=chosen[1] if chosen else "other",
        employer_name=chosen[2] if chosen else "",
    )


def check_member(member: User, unit: str, span: Span, policy: BookingPolicy) -> MemberDay:
    """A person is in one place at a time: no second desk or office during a half-day they
    already hold one, no second room during hours they hold one (a desk and a meeting room
    together are fine); and no more bookings a day than the site allows. Returns what was
    read, the member's status that day included."""
    if not member.is_active:
        raise refusal(_("This account is closed."), "member_inactive")
    return judge_member(member_day(member, unit, span), policy)


def judge_member(found: MemberDay, policy: BookingPolicy) -> MemberDay:
    """The refusals check_member makes, on a member's day already read."""
    if not found.is_active:
        raise refusal(_("This account is closed."), "member_inactive")
    if found.overlapping:
        raise refusal(_("You already have a booking at that time."), "member_overlap", "date")
    if found.held >= policy.max_per_member_per_day:
        raise refusal(
            _("You may hold at most %(count)s bookings on one day.")
            % {"count": policy.max_per_member_per_day},
            "member_daily_limit",
            "date",
        )
    return found
