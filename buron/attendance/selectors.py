"""Reads about attendance: a network's settings, a site's arrivals of the day, visits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from buron.accounts.models import User
from buron.booking.models import Booking, BookingKind, BookingStatus
from buron.booking.slots import local_datetime
from buron.places.models import Network, Site

from .models import AttendanceSettings, CheckinPoint, Visit

VisitKey = tuple[int | None, int, dt.date]


def attendance_settings_for(*, network: Network) -> AttendanceSettings:
    """The network's attendance settings; the defaults (unsaved) when it has none."""
    found = AttendanceSettings.objects.filter(network=network).select_related("reference_commune")
    return found.first() or AttendanceSettings(network=network)


def no_show_delays(*, network_ids: set[int]) -> dict[int, dt.timedelta]:
    """How long after its start each network releases a booking without check-in."""
    default = dt.timedelta(minutes=AttendanceSettings().no_show_after_minutes)
    delays = dict.fromkeys(network_ids, default)
    for network_id, minutes in AttendanceSettings.objects.filter(
        network_id__in=network_ids
    ).values_list("network_id", "no_show_after_minutes"):
        delays[network_id] = dt.timedelta(minutes=minutes)
    return delays


def visited(*, keys: set[VisitKey]) -> dict[VisitKey, dt.datetime]:
    """For each (member, site, day) that has a visit, the time of arrival (one read)."""
    if not keys:
        return {}
    rows = Visit.objects.filter(
        member_id__in={k[0] for k in keys},
        site_id__in={k[1] for k in keys},
        day__in={k[2] for k in keys},
    ).values_list("member_id", "site_id", "day", "arrived_at")
    return {(m, s, d): at for m, s, d, at in rows if (m, s, d) in keys}


def checkin_point_by_token(*, token: str) -> CheckinPoint | None:
    """The check-in code of a published site, with its site and network."""
    return (
        CheckinPoint.objects.select_related("site__network")
        .filter(token=token, site__is_published=True)
        .first()
    )


def member_visit_on(*, member: User, site: Site, day: dt.date) -> Visit | None:
    """The member's visit at the site that day, if they checked in."""
    return Visit.objects.filter(member=member, site=site, day=day).first()


@dataclass(frozen=True)
class Arrival:
    """A booking of the day at a site, and the visit that honoured it (if any)."""

    booking: Booking
    visit: Visit | None

    @property
    def is_released(self) -> bool:
        return self.booking.status == BookingStatus.RELEASED


@dataclass(frozen=True)
class Arrivals:
    """A site's day: the bookings expected, and the visits without a booking."""

    expected: list[Arrival]
    others: list[Visit]
    settings: AttendanceSettings

    @property
    def km_avoided(self) -> Decimal:
        visits = [a.visit for a in self.expected if a.visit] + self.others
        return sum((v.km_avoided for v in visits if v.km_avoided is not None), Decimal(0))

    @property
    def co2_kg_avoided(self) -> Decimal:
        visits = [a.visit for a in self.expected if a.visit] + self.others
        return sum((v.co2_kg_avoided for v in visits if v.co2_kg_avoided is not None), Decimal(0))


def arrivals_for_day(*, site: Site, day: dt.date) -> Arrivals:
    """The bookings of the day at the site (confirmed or released as no-shows), each with
    its member's visit, and the visits without booking (walk-ins). Give the site with its
    network. Four reads, however many bookings."""
    tz = site.network.time_zone
    bookings = list(
        Booking.objects.filter(
            site=site,
            kind=BookingKind.BOOKING,
            status__in=[BookingStatus.ACTIVE, BookingStatus.RELEASED],
            start__lt=local_datetime(day + dt.timedelta(days=1), dt.time(0), tz),
            end__gt=local_datetime(day, dt.time(0), tz),
        )
        .select_related("member", "resource")
        .order_by("start", "resource__name")
    )
    visits = list(
        Visit.objects.filter(site=site, day=day)
        .select_related("member", "home_commune")
        .order_by("arrived_at")
    )
    by_member = {v.member_id: v for v in visits if v.member_id is not None}
    expected = [
        Arrival(
            b,
            by_member.get(b.member_id)
            if b.member_id is not None and b.status == BookingStatus.ACTIVE
            else None,
        )
        for b in bookings
    ]
    booked = {b.member_id for b in bookings if b.status == BookingStatus.ACTIVE}
    others = [v for v in visits if v.member_id is None or v.member_id not in booked]
    return Arrivals(expected, others, attendance_settings_for(network=site.network))
