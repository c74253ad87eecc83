"""How periods and times of day map to slots, in the network's local time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from buron.places.models import BookingUnit
from buron.places.selectors import DaySchedule

from .models import Period

MORNING_SLOT = 0
AFTERNOON_SLOT = 1
HALF_DAY_SLOTS: dict[str, tuple[int, ...]] = {
    Period.MORNING: (MORNING_SLOT,),
    Period.AFTERNOON: (AFTERNOON_SLOT,),
    Period.DAY: (MORNING_SLOT, AFTERNOON_SLOT),
}
HALF_DAY_NAME = {MORNING_SLOT: "am", AFTERNOON_SLOT: "pm"}


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_datetime(day: dt.date, time: dt.time, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone(tz))


@dataclass(frozen=True)
class Span:
    """The slots a booking would hold on one day, with its start and end."""

    day: dt.date
    slots: tuple[int, ...]
    start: dt.datetime
    end: dt.datetime


def half_day_span(schedule: DaySchedule, period: str, tz: str) -> Span | None:
    """The span of a half-day or full-day booking, or None when the site is not open then."""
    slots = HALF_DAY_SLOTS[period]
    periods = [schedule.period(HALF_DAY_NAME[s]) for s in slots]
    if any(p is None for p in periods):
        return None
    first, last = periods[0], periods[-1]
    if first is None or last is None:
        return None
    return Span(
        schedule.day,
        slots,
        local_datetime(schedule.day, first.opens, tz),
        local_datetime(schedule.day, last.closes, tz),
    )


def open_hours(schedule: DaySchedule, period: str = Period.DAY) -> list[int]:
    """The whole hours [h:00, h+1:00) that fall inside the site's open half-days."""
    if period == Period.MORNING:
        names = ["am"]
    elif period == Period.AFTERNOON:
        names = ["pm"]
    else:
        names = ["am", "pm"]
    hours: list[int] = []
    for name in names:
        p = schedule.period(name)
        if p is None:
            continue
        # An hour counts when it starts at or after opening and ends by closing time.
        hours.extend(h for h in range(23) if p.opens <= dt.time(h) and dt.time(h + 1) <= p.closes)
    return sorted(set(hours))


def hour_slots(start: dt.datetime, end: dt.datetime, tz: str) -> tuple[int, ...] | None:
    """Hours held by a room booked from start to end (local whole hours, same day), or None
    when the times are not whole hours of one day."""
    local_start, local_end = start.astimezone(zone(tz)), end.astimezone(zone(tz))
    if local_start.date() != local_end.date() or local_end <= local_start:
        return None
    for t in (local_start, local_end):
        if t.minute or t.second or t.microsecond:
            return None
    return tuple(range(local_start.hour, local_end.hour))


def slots_for_unit(unit: str, period: str) -> tuple[int, ...]:
    if unit == BookingUnit.HALF_DAY:
        return HALF_DAY_SLOTS[period]
    raise ValueError("Hourly resources take explicit hours.")
