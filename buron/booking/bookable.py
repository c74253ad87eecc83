"""THE definition of what can be booked, and why not.

A site's period (or a room's hour) can be booked when the site is open that day, the
period is within its opening hours, it is not over yet and it is not further ahead than the
site's booking policy allows (counted in days of the network's time zone). The booking
services refuse with these reasons (buron.booking.services.rules), and search, the site
pages, the forms and the API offer only what passes them (buron.booking.selectors), so
nothing is offered that the next page would refuse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from buron.core.dates import format_date
from buron.places.selectors import DaySchedule

from .models import BookingPolicy, Period
from .slots import Span, half_day_span, local_datetime, open_hours, zone


@dataclass(frozen=True)
class NotBookable:
    """Why something cannot be booked: a code (as the API's refusals name it), a message
    in the active language, and the request's field it is about."""

    code: str
    message: str
    field: str = "date"


def closed_refusal(*, site_name: str, schedule: DaySchedule) -> NotBookable | None:
    """The site is closed that day (a public holiday, a closure, no hours that weekday)."""
    if schedule.closed_because is None:
        return None
    return NotBookable(
        "closed",
        _("%(site)s is closed on %(day)s (%(reason)s).")
        % {
            "site": site_name,
            "day": format_date(schedule.day),
            "reason": schedule.closed_because,
        },
    )


def period_closed(*, site_name: str) -> NotBookable:
    """The site opens that day, but not for this period."""
    return NotBookable(
        "period_closed",
        _("%(site)s is not open for this period on that day.") % {"site": site_name},
        "period",
    )


def last_bookable_day(*, now: dt.datetime, time_zone: str, policy: BookingPolicy) -> dt.date:
    """The last day bookable now: today, on the network's clock, plus the policy's horizon."""
    return now.astimezone(zone(time_zone)).date() + dt.timedelta(days=policy.horizon_days)


def when_refusal(
    *,
    day: dt.date,
    end: dt.datetime | None,
    now: dt.datetime,
    time_zone: str,
    policy: BookingPolicy,
) -> NotBookable | None:
    """Over already (it ends by now), or beyond the booking horizon. Without `end`, the day
    alone decides whether it is over (a day before today is; today's periods need their
    end)."""
    today = now.astimezone(zone(time_zone)).date()
    over = day < today if end is None else end <= now
    if over:
        return NotBookable("past", _("This time is already over."))
    last = today + dt.timedelta(days=policy.horizon_days)
    if day > last:
        return NotBookable(
            "too_far_ahead",
            _("Bookings open %(days)s days ahead: choose a day until %(last)s.")
            % {"days": policy.horizon_days, "last": format_date(last)},
        )
    return None


@dataclass(frozen=True)
class SiteRules:
    """What the definition needs of a site that day."""

    site_name: str
    time_zone: str
    schedule: DaySchedule
    policy: BookingPolicy


def half_day_refusal(
    rules: SiteRules, *, period: str, now: dt.datetime
) -> tuple[Span | None, NotBookable | None]:
    """A half-day or full-day period: its span, or why it cannot be booked (closed, not
    open for the period, over, too far ahead)."""
    closed = closed_refusal(site_name=rules.site_name, schedule=rules.schedule)
    if closed is not None:
        return None, closed
    span = half_day_span(rules.schedule, period, rules.time_zone)
    if span is None:
        return None, period_closed(site_name=rules.site_name)
    refused = when_refusal(
        day=span.day, end=span.end, now=now, time_zone=rules.time_zone, policy=rules.policy
    )
    return span, refused


def bookable_hours(rules: SiteRules, *, period: str = Period.DAY, now: dt.datetime) -> list[int]:
    """The hours [h:00, h+1:00) of a period that a room could be booked for: within the
    opening hours, not over, within the horizon."""
    if rules.schedule.closed_because is not None:
        return []
    day = rules.schedule.day
    return [
        hour
        for hour in open_hours(rules.schedule, period)
        if when_refusal(
            day=day,
            end=local_datetime(day, dt.time(hour), rules.time_zone) + dt.timedelta(hours=1),
            now=now,
            time_zone=rules.time_zone,
            policy=rules.policy,
        )
        is None
    ]
