"""The rules a booking must pass before it holds anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.accounts.selectors import status_among
from buron.places.models import BookingUnit, ResourceKind, Site
from buron.places.selectors import DaySchedule

from .. import store
from ..bookable import NotBookable, closed_refusal, when_refusal
from ..errors import BookingRefused
from ..models import BookingPolicy
from ..slots import Span

HALF_DAY_KINDS = (ResourceKind.DESK, ResourceKind.PRIVATE_OFFICE)


def refusal(message: str, code: str, field: str | None = None) -> BookingRefused:
    """A rule's refusal, on a field of the request when one is named."""
    if field:
        return BookingRefused({field: [BookingRefused(message, code=code)]})
    return BookingRefused(message, code=code)


def lock_member(member: User, site: Site) -> None:
    """Serialise one member's concurrent bookings (their per-day limit is counted after),
    and wait for a departure of the site (a withdrawal, an unpublication, a closure) being
    committed.

    On PostgreSQL the member's row is locked and the site's row shared until the
    transaction ends (store.booking_locks); the member's day must then be read by a later
    statement, whose snapshot sees what a concurrent booking of theirs, or a departure,
    committed meanwhile. SQLite has no row locks: its transactions begin IMMEDIATE
    (config.settings), so a booking transaction already holds the database's single write
    lock and nothing more is needed."""
    store.booking_locks(member_id=member.pk, site_id=site.pk)


def refused(found: NotBookable) -> BookingRefused:
    """The refusal for what the definition of bookable (buron.booking.bookable) says no to."""
    return refusal(found.message, found.code, found.field)


def check_site_open(site: Site, schedule: DaySchedule) -> None:
    """Refuse a site that takes no bookings, or is closed that day (with the reason)."""
    if not site.is_published:
        raise refusal(_("This site does not take bookings."), "site_unpublished", "site")
    closed = closed_refusal(site_name=site.name, schedule=schedule)
    if closed is not None:
        raise refused(closed)


def check_when(site: Site, span: Span, now: dt.datetime, policy: BookingPolicy) -> None:
    """Not over yet, and not further ahead than the site's rules allow (counted in days of
    the network's time zone, the zone the span's day is in): bookable.when_refusal."""
    found = when_refusal(
        day=span.day, end=span.end, now=now, time_zone=site.network.time_zone, policy=policy
    )
    if found is not None:
        raise refused(found)


@dataclass(frozen=True)
class MemberDay:
    """What a new booking needs to know of its member that day."""

    is_active: bool
    held: int  # active bookings holding a slot that day
    overlapping: int  # of those, the ones of the same unit overlapping the new span
    status: str  # the status in force that day (buron.accounts.selectors.status_on)
    employer_name: str


def member_day_of(found: store.MemberDayRows, span: Span) -> MemberDay:
    """A member's day from what store.member_day or store.first_look read: their status
    that day chosen by accounts' one rule (status_among)."""
    chosen = status_among(periods=found.periods, day=span.day)
    return MemberDay(
        is_active=found.is_active,
        held=found.held,
        overlapping=found.overlapping,
        status=chosen.status if chosen else "other",
        employer_name=chosen.employer_name if chosen else "",
    )


def member_day(member: User, unit: str, span: Span) -> MemberDay:
    """One statement: the account's state, its bookings that day and its status periods
    (store.member_day)."""
    found = store.member_day(member_id=member.pk, hourly=unit == BookingUnit.HOUR, span=span)
    return member_day_of(found, span)


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
