"""Recurring bookings: the same half-day on some weekdays, occurrence by occurrence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.places.models import Resource, ResourceKind, Site

from ..errors import BookingRefused, SlotTaken
from ..models import Booking, BookingSeries, Period
from .create import HalfDayAsk, confirm_by_email, half_day_book


@dataclass
class Occurrence:
    day: dt.date
    booking: Booking | None
    reason: str = ""


@dataclass
class SeriesResult:
    series: BookingSeries
    occurrences: list[Occurrence]

    @property
    def booked(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.booking is not None]

    @property
    def missed(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.booking is None]


MAX_SERIES_DAYS = 366


def _series_errors(
    *, weekdays: list[int], period: str, start_date: dt.date, end_date: dt.date
) -> dict[str, list[BookingRefused]]:
    """Each field's refusals of a recurring booking's request (none when it is sound)."""
    errors: dict[str, list[BookingRefused]] = {}
    if not weekdays or any(w not in range(7) for w in weekdays):
        errors.setdefault("weekdays", []).append(
            BookingRefused(_("Choose at least one weekday."), code="invalid_weekdays")
        )
    if end_date < start_date:
        errors.setdefault("end_date", []).append(
            BookingRefused(_("The last day must come after the first."), code="end_before_start")
        )
    elif (end_date - start_date).days > MAX_SERIES_DAYS:
        errors.setdefault("end_date", []).append(
            BookingRefused(_("A recurring booking lasts one year at most."), code="too_long")
        )
    if period not in (Period.MORNING, Period.AFTERNOON, Period.DAY):
        errors.setdefault("period", []).append(
            BookingRefused(_("Choose morning, afternoon or full day."), code="invalid_period")
        )
    return errors


def _occurrence(ask: HalfDayAsk, preferred: Resource | None, now: dt.datetime) -> Occurrence:
    """Book one day of a series: the desk of the previous occurrence when it is free, else
    any; or say why not."""
    reason = ""
    for resource in [preferred, None] if preferred else [None]:
        try:
            booking = half_day_book(
                replace(ask, resource=resource), now=now, notify=False, alternatives=False
            )
            return Occurrence(ask.day, booking)
        except BookingRefused as exc:
            return Occurrence(ask.day, None, " ".join(exc.messages))
        except SlotTaken as exc:
            reason = exc.message
    return Occurrence(ask.day, None, reason)


def series_create(
    *,
    member: User,
    site: Site,
    weekdays: list[int],
    period: str,
    start_date: dt.date,
    end_date: dt.date,
    kind: str = ResourceKind.DESK,
    booked_by: User | None = None,
    now: dt.datetime | None = None,
    choices: Mapping[str, str] | None = None,
) -> SeriesResult:
    """Book the same half-day on some weekdays between two dates, occurrence by occurrence:
    each one booked or given the reason it could not be. The same desk is kept when free.

    Each occurrence is its own transaction, so a long series never holds the database's
    write lock for long, and what was booked stays booked whatever comes after."""
    now = now or timezone.now()
    errors = _series_errors(
        weekdays=weekdays, period=period, start_date=start_date, end_date=end_date
    )
    if errors:
        raise BookingRefused(errors)
    series = BookingSeries.objects.create(
        network_id=site.network_id,
        site=site,
        member=member,
        kind=kind,
        period=period,
        weekdays=",".join(str(w) for w in sorted(set(weekdays))),
        start_date=start_date,
        end_date=end_date,
    )
    occurrences: list[Occurrence] = []
    preferred: Resource | None = None
    for offset in range((end_date - start_date).days + 1):
        day = start_date + dt.timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        ask = HalfDayAsk(member, site, day, period, kind, None, booked_by, series, choices or {})
        occurrence = _occurrence(ask, preferred, now)
        if occurrence.booking is not None:
            preferred = occurrence.booking.resource
        occurrences.append(occurrence)
    confirm_by_email([o.booking for o in occurrences if o.booking is not None])
    return SeriesResult(series, occurrences)
