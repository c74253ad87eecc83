"""One way to write days and times per language, used by pages, emails and messages.

French: "mardi 1er décembre 2026", "1er décembre 2026, 18:30"; English: "Tuesday
1 December 2026", "1 December 2026, 18:30". Times are 24-hour in both. Aware datetimes are
shown in the active time zone (the templates' {% timezone %}, or the one given)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

NBSP = "\u00a0"


def _french() -> bool:
    return (get_language() or "fr")[:2] == "fr"


def _local(value: dt.date | dt.datetime, zone: str | None) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return value.astimezone(ZoneInfo(zone)) if zone else timezone.localtime(value)
    return value


def _day_number(value: dt.date) -> str:
    return "1er" if value.day == 1 and _french() else str(value.day)


def format_date(value: dt.date | dt.datetime, *, year: bool = True, zone: str | None = None) -> str:
    """A date, "1er décembre 2026" / "1 December 2026" (without the year: "1er décembre")."""
    value = _local(value, zone)
    return f"{_day_number(value)} {date_format(value, 'F Y' if year else 'F')}"


def format_day(
    value: dt.date | dt.datetime, *, short: bool = False, year: bool = True, zone: str | None = None
) -> str:
    """The day with its weekday: "mardi 1er décembre 2026" / "Tuesday 1 December 2026";
    short: "mar 1er décembre 2026" / "Tue 1 December 2026"."""
    value = _local(value, zone)
    weekday = date_format(value, "D" if short else "l")
    month = date_format(value, "F Y" if year else "F")
    return f"{weekday} {_day_number(value)} {month}"


def format_time(value: dt.datetime | dt.time, *, zone: str | None = None) -> str:
    """A time, "18:30" in both languages."""
    if isinstance(value, dt.datetime):
        return date_format(_local(value, zone), "H:i")
    return value.strftime("%H:%M")


def format_moment(value: dt.datetime, *, zone: str | None = None) -> str:
    """A moment, "1er décembre 2026, 18:30" / "1 December 2026, 18:30"."""
    return f"{format_date(value, zone=zone)}, {format_time(value, zone=zone)}"
