"""Writes about bookings. Every write runs in one transaction; the database refuses a slot
held twice (see models.BookingSlot), the code never relies on a read-then-write check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope, status_on
from buron.places.models import BookingUnit, Resource, ResourceKind, Site
from buron.places.selectors import DaySchedule, site_schedule

from . import selectors, tasks
from .errors import Alternative, BookingRefused, SlotTaken
from .models import Booking, BookingKind, BookingSeries, BookingSlot, BookingStatus, Period
from .slots import Span, half_day_span, hour_slots, local_datetime, open_hours, zone

HALF_DAY_KINDS = (ResourceKind.DESK, ResourceKind.PRIVATE_OFFICE)


def _refuse(message: str, code: str, field: str | None = None) -> BookingRefused:
    if field:
        return BookingRefused({field: [BookingRefused(message, code=code)]})
    return BookingRefused(message, code=code)


def _lock_member(member: User) -> None:
    """Serialise one member's concurrent bookings (their per-day limit is counted below)."""
    User.objects.select_for_update().filter(pk=member.pk).first()


def _check_site_open(site: Site, schedule: DaySchedule) -> None:
    if not site.is_published:
        raise _refuse(_("This site does not take bookings."), "site_unpublished", "site")
    if schedule.closed_because is not None:
        raise _refuse(
            _("%(site)s is closed on %(day)s (%(reason)s).")
            % {
                "site": site.name,
                "day": date_format(schedule.day, "DATE_FORMAT"),
                "reason": schedule.closed_because,
            },
            "closed",
            "date",
        )


def _check_when(site: Site, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    if end <= now:
        raise _refuse(_("This time is already over."), "past", "date")
    policy = selectors.policy_for(site)
    last_day = timezone.localdate(now) + dt.timedelta(days=policy.horizon_days)
    if timezone.localdate(start) > last_day:
        raise _refuse(
            _("Bookings open %(days)s days ahead: choose a day until %(last)s.")
            % {"days": policy.horizon_days, "last": date_format(last_day, "DATE_FORMAT")},
            "too_far_ahead",
            "date",
        )


def _check_member(member: User, site: Site, start: dt.datetime, end: dt.datetime) -> None:
    if not member.is_active:
        raise _refuse(_("This account is closed."), "member_inactive")
    policy = selectors.policy_for(site)
    day = timezone.localdate(start)
    same_day = Booking.objects.filter(
        member=member,
        kind=BookingKind.BOOKING,
        status=BookingStatus.ACTIVE,
        start__date=day,
    )
    if same_day.filter(start__lt=end, end__gt=start).exists():
        raise _refuse(_("You already have a booking at that time."), "member_overlap", "date")
    if same_day.count() >= policy.max_per_member_per_day:
        raise _refuse(
            _("You may hold at most %(count)s bookings on one day.")
            % {"count": policy.max_per_member_per_day},
            "member_daily_limit",
            "date",
        )


def _new_booking(
    *,
    member: User,
    booked_by: User | None,
    resource: Resource,
    span: Span,
    period: str,
    series: BookingSeries | None = None,
) -> Booking:
    status = status_on(user=member, day=span.day)
    booking = Booking.objects.create(
        network_id=resource.network_id,
        site_id=resource.site_id,
        resource=resource,
        member=member,
        visitor_status=status.status if status else "other",
        employer_name=status.employer_name if status else "",
        start=span.start,
        end=span.end,
        period=period,
        series=series,
        booked_by=booked_by if booked_by and booked_by.pk != member.pk else None,
    )
    BookingSlot.objects.bulk_create(
        BookingSlot(
            booking=booking,
            network_id=resource.network_id,
            resource=resource,
            day=span.day,
            slot=slot,
        )
        for slot in span.slots
    )
    return booking


def _claim(**kwargs: Any) -> Booking | None:
    """Create the booking and its slots, or None when the database says a slot is held."""
    try:
        with transaction.atomic():
            return _new_booking(**kwargs)
    except IntegrityError:
        return None


def _alternatives(
    *, site: Site, day: dt.date, period: str, kind: str, limit: int = 5
) -> list[Alternative]:
    """What else is free: the nearest other sites that day, then the same site later."""
    found: list[Alternative] = []
    for result in selectors.availability(
        day=day,
        period=period,
        kind=kind,
        sites=Site.objects.filter(network_id=site.network_id),
        near=(float(site.latitude), float(site.longitude)),
    ):
        if result.site.pk != site.pk and result.free_count:
            found.append(
                Alternative(
                    result.site.slug, result.site.name, day.isoformat(), period, result.free_count
                )
            )
        if len(found) >= 3:
            break
    next_day = day
    for _i in range(14):
        next_day += dt.timedelta(days=1)
        same = selectors.availability(
            day=next_day, period=period, kind=kind, sites=Site.objects.filter(pk=site.pk)
        )
        if same and same[0].free_count:
            found.append(
                Alternative(site.slug, site.name, next_day.isoformat(), period, same[0].free_count)
            )
            if len(found) >= limit:
                break
    return found[:limit]


def _notify(bookings: list[Booking]) -> None:
    """Send the confirmation once the transaction has committed (never for a rollback)."""
    ids = [b.pk for b in bookings if b.member_id]
    if ids:
        language = get_language() or "fr"
        transaction.on_commit(
            lambda: tasks.booking_confirmation_send.enqueue(booking_ids=ids, language=language)
        )


def _half_day_span_or_refuse(site: Site, day: dt.date, period: str) -> Span:
    schedule = site_schedule(site, day)
    _check_site_open(site, schedule)
    span = half_day_span(schedule, period, site.network.time_zone)
    if span is None:
        raise _refuse(
            _("%(site)s is not open for this period on that day.") % {"site": site.name},
            "period_closed",
            "period",
        )
    return span


@transaction.atomic
def booking_create_half_day(
    *,
    member: User,
    site: Site,
    day: dt.date,
    period: str,
    kind: str = ResourceKind.DESK,
    resource: Resource | None = None,
    booked_by: User | None = None,
    now: dt.datetime | None = None,
    series: BookingSeries | None = None,
    notify: bool = True,
) -> Booking:
    """Book a desk or office for a half-day or a day; a free one is assigned unless given.

    Raises BookingRefused when a rule says no, SlotTaken when nothing is free any more.
    """
    now = now or timezone.now()
    if period not in (Period.MORNING, Period.AFTERNOON, Period.DAY):
        raise _refuse(_("Choose morning, afternoon or full day."), "invalid_period", "period")
    if kind not in HALF_DAY_KINDS:
        raise _refuse(_("This kind of resource is booked by the hour."), "invalid_kind", "kind")
    if resource is not None:
        if resource.site_id != site.pk or resource.kind != kind:
            raise _refuse(
                _("This resource is not of the kind asked for, or not at this site."),
                "wrong_resource",
                "resource",
            )
        if not resource.is_active:
            raise _refuse(
                _("This resource cannot be booked at the moment."), "inactive", "resource"
            )
    span = _half_day_span_or_refuse(site, day, period)
    _check_when(site, span.start, span.end, now)
    _lock_member(member)
    _check_member(member, site, span.start, span.end)

    if resource is not None:
        candidates = [resource]
    else:
        found = selectors.availability(
            day=day, period=period, kind=kind, sites=Site.objects.filter(pk=site.pk)
        )
        free_ids = [f.id for f in found[0].free] if found else []
        by_id = Resource.objects.in_bulk(free_ids)
        candidates = [by_id[i] for i in free_ids if i in by_id]
        if (
            not candidates
            and not Resource.objects.filter(site=site, kind=kind, is_active=True).exists()
        ):
            raise _refuse(
                _("%(site)s has no bookable resource of this kind.") % {"site": site.name},
                "no_resource",
                "kind",
            )
    for candidate in candidates:
        booking = _claim(
            member=member,
            booked_by=booked_by,
            resource=candidate,
            span=span,
            period=period,
            series=series,
        )
        if booking is not None:
            if notify:
                _notify([booking])
            return booking
    raise SlotTaken(
        _("Just taken: nothing is free any more at %(site)s for this period.")
        % {"site": site.name},
        _alternatives(site=site, day=day, period=period, kind=kind),
    )


@transaction.atomic
def booking_create_hours(
    *,
    member: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    booked_by: User | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a room for whole hours of one day."""
    now = now or timezone.now()
    site = resource.site
    if not resource.is_active:
        raise _refuse(_("This resource cannot be booked at the moment."), "inactive", "resource")
    tz = site.network.time_zone
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise _refuse(
            _("Give times with their offset, e.g. 2027-03-02T09:00:00+01:00."),
            "naive_time",
            "start",
        )
    if end <= start:
        raise _refuse(_("The end must come after the start."), "end_before_start", "end")
    local_day = start.astimezone(zone(tz)).date()
    schedule = site_schedule(site, local_day)
    _check_site_open(site, schedule)
    if resource.booking_unit == BookingUnit.HOUR:
        hours = hour_slots(start, end, tz)
        if hours is None:
            raise _refuse(
                _("A room is booked by whole hours within one day."), "not_whole_hours", "start"
            )
        allowed = set(open_hours(schedule))
        if not set(hours) <= allowed:
            raise _refuse(
                _("%(site)s is not open for all these hours.") % {"site": site.name},
                "hours_closed",
                "start",
            )
        span = Span(local_day, hours, start, end)
        period = Period.HOURS
    else:
        # A half-day resource given by times: the times must be one of its half-days.
        for candidate_period in (Period.DAY, Period.MORNING, Period.AFTERNOON):
            candidate = half_day_span(schedule, candidate_period, tz)
            if candidate and candidate.start == start and candidate.end == end:
                return booking_create_half_day(
                    member=member,
                    site=site,
                    day=local_day,
                    period=candidate_period,
                    kind=resource.kind,
                    resource=resource,
                    booked_by=booked_by,
                    now=now,
                )
        raise _refuse(
            _("This resource is booked by the half-day: use the site's opening times."),
            "not_half_day",
            "start",
        )
    _check_when(site, span.start, span.end, now)
    _lock_member(member)
    _check_member(member, site, span.start, span.end)
    booking = _claim(
        member=member, booked_by=booked_by, resource=resource, span=span, period=period
    )
    if booking is None:
        raise SlotTaken(
            _("Just taken: this room is no longer free at that time."),
            _room_alternatives(resource=resource, day=local_day),
        )
    _notify([booking])
    return booking


def _room_alternatives(*, resource: Resource, day: dt.date) -> list[Alternative]:
    """The hours still free that day for this room."""
    found = selectors.availability(
        day=day,
        period=Period.DAY,
        kind=resource.kind,
        sites=Site.objects.filter(pk=resource.site_id),
    )
    hours = next((f.free_hours or [] for r in found for f in r.free if f.id == resource.pk), [])
    return [
        Alternative(resource.site.slug, resource.site.name, day.isoformat(), f"{h:02d}:00", 1)
        for h in hours[:5]
    ]


def _release_slots(booking: Booking) -> None:
    """Free a booking's slots; a block covering them takes them back at once."""
    freed = list(BookingSlot.objects.filter(booking=booking, is_active=True))
    BookingSlot.objects.filter(booking=booking, is_active=True).update(is_active=False)
    if booking.kind == BookingKind.BLOCK or not freed:
        return
    blocks = Booking.objects.filter(
        resource_id=booking.resource_id,
        kind=BookingKind.BLOCK,
        status=BookingStatus.ACTIVE,
        start__lt=booking.end,
        end__gt=booking.start,
    )
    for block in blocks:
        for slot in freed:
            try:
                with transaction.atomic():
                    BookingSlot.objects.create(
                        booking=block,
                        network_id=slot.network_id,
                        resource_id=slot.resource_id,
                        day=slot.day,
                        slot=slot.slot,
                    )
            except IntegrityError:
                continue


def can_manage(user: User, booking: Booking) -> bool:
    return staff_scope(user=user).covers_site(booking.site)


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User, now: dt.datetime | None = None) -> Booking:
    """Cancel a booking. Its member may until the site's deadline; the site's staff always."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().select_related("site").get(pk=booking.pk)
    is_staff = can_manage(by, booking)
    if booking.member_id != by.pk and not is_staff:
        raise _refuse(_("This booking is not yours."), "not_owner")
    if booking.status == BookingStatus.CANCELLED:
        raise _refuse(_("This booking is already cancelled."), "already_cancelled")
    if not is_staff:
        policy = selectors.policy_for(booking.site)
        deadline = booking.start - dt.timedelta(hours=policy.cancellation_deadline_hours)
        if booking.end <= now:
            raise _refuse(_("This booking is over."), "past")
        if now > deadline:
            raise _refuse(
                _("Cancellation was possible until %(deadline)s (%(hours)s h before the start).")
                % {
                    "deadline": date_format(timezone.localtime(deadline), "DATETIME_FORMAT"),
                    "hours": policy.cancellation_deadline_hours,
                },
                "deadline_passed",
            )
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    _release_slots(booking)
    return booking


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


@transaction.atomic
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
) -> SeriesResult:
    """Book the same half-day on some weekdays between two dates, occurrence by occurrence:
    each one booked or given the reason it could not be. The same desk is kept when free."""
    now = now or timezone.now()
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
    day = start_date
    while day <= end_date:
        if day.weekday() in weekdays:
            booking = None
            reason = ""
            for resource in [preferred, None] if preferred else [None]:
                try:
                    with transaction.atomic():
                        booking = booking_create_half_day(
                            member=member,
                            site=site,
                            day=day,
                            period=period,
                            kind=kind,
                            resource=resource,
                            booked_by=booked_by,
                            now=now,
                            series=series,
                            notify=False,
                        )
                    break
                except BookingRefused as exc:
                    reason = " ".join(exc.messages)
                    break
                except SlotTaken as exc:
                    reason = exc.message
            if booking is not None:
                preferred = booking.resource
            occurrences.append(Occurrence(day, booking, reason))
        day += dt.timedelta(days=1)
    _notify([o.booking for o in occurrences if o.booking is not None])
    return SeriesResult(series, occurrences)


@dataclass
class BlockResult:
    block: Booking
    to_move: list[Booking]


@transaction.atomic
def resource_block(
    *,
    resource: Resource,
    start_date: dt.date,
    end_date: dt.date,
    by: User,
    note: str = "",
) -> BlockResult:
    """Block a resource for some days (maintenance). The free slots are held at once; the
    bookings already there are listed to be moved, and their slots go to the block as soon
    as they are cancelled or moved."""
    site = resource.site
    if not staff_scope(user=by).covers_site(site):
        raise _refuse(_("You do not manage this site."), "not_staff")
    if end_date < start_date:
        raise _refuse(_("The last day must come after the first."), "end_before_start", "end_date")
    if (end_date - start_date).days > MAX_SERIES_DAYS:
        raise _refuse(_("A block lasts one year at most."), "too_long", "end_date")
    tz = site.network.time_zone
    block = Booking.objects.create(
        network_id=resource.network_id,
        site=site,
        resource=resource,
        kind=BookingKind.BLOCK,
        start=local_datetime(start_date, dt.time(0), tz),
        end=local_datetime(end_date + dt.timedelta(days=1), dt.time(0), tz),
        period=Period.DAY,
        booked_by=by,
        note=note,
    )
    all_slots = range(24) if resource.booking_unit == BookingUnit.HOUR else range(2)
    held = set(
        BookingSlot.objects.filter(
            resource=resource, day__gte=start_date, day__lte=end_date, is_active=True
        ).values_list("day", "slot")
    )
    day = start_date
    new_slots: list[BookingSlot] = []
    while day <= end_date:
        new_slots.extend(
            BookingSlot(
                booking=block, network_id=resource.network_id, resource=resource, day=day, slot=s
            )
            for s in all_slots
            if (day, s) not in held
        )
        day += dt.timedelta(days=1)
    # The database still has the last word: a booking committed since the read above
    # makes this fail as a whole, and the host simply tries again.
    try:
        with transaction.atomic():
            BookingSlot.objects.bulk_create(new_slots)
    except IntegrityError as exc:
        raise SlotTaken(_("A booking was just made on this resource: please try again.")) from exc
    to_move = list(
        Booking.objects.filter(
            resource=resource,
            kind=BookingKind.BOOKING,
            status=BookingStatus.ACTIVE,
            start__lt=block.end,
            end__gt=block.start,
        )
        .select_related("member")
        .order_by("start")
    )
    return BlockResult(block, to_move)


@transaction.atomic
def booking_move(*, booking: Booking, to: Resource, by: User) -> Booking:
    """Move a booking to another resource of the same kind at the same times (staff only)."""
    booking = (
        Booking.objects.select_for_update().select_related("site", "resource").get(pk=booking.pk)
    )
    if not can_manage(by, booking):
        raise _refuse(_("You do not manage this site."), "not_staff")
    if booking.status != BookingStatus.ACTIVE or booking.kind != BookingKind.BOOKING:
        raise _refuse(_("Only a confirmed booking can be moved."), "not_active")
    if to.kind != booking.resource.kind or not to.is_active or to.pk == booking.resource_id:
        raise _refuse(
            _("Choose another active resource of the same kind."), "wrong_resource", "resource"
        )
    if not can_manage(by, Booking(site=to.site)):
        raise _refuse(_("You do not manage this site."), "not_staff")
    slots = list(BookingSlot.objects.filter(booking=booking, is_active=True))
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    _release_slots(booking)
    moved = Booking.objects.create(
        network_id=to.network_id,
        site_id=to.site_id,
        resource=to,
        member=booking.member,
        visitor_status=booking.visitor_status,
        employer_name=booking.employer_name,
        start=booking.start,
        end=booking.end,
        period=booking.period,
        series=booking.series,
        booked_by=by,
        note=booking.note,
    )
    try:
        with transaction.atomic():
            BookingSlot.objects.bulk_create(
                BookingSlot(
                    booking=moved, network_id=to.network_id, resource=to, day=s.day, slot=s.slot
                )
                for s in slots
            )
    except IntegrityError as exc:
        raise SlotTaken(_("That resource is taken at that time.")) from exc
    _notify([moved])
    return moved


def member_bookings_export(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": b.pk,
            "site": b.site.slug,
            "resource": b.resource.name,
            "start": b.start.isoformat(),
            "end": b.end.isoformat(),
            "period": b.period,
            "status": b.status,
            "visitor_status": b.visitor_status,
            "employer_name": b.employer_name,
            "created_at": b.created_at.isoformat(),
        }
        for b in Booking.objects.filter(member=user)
        .select_related("site", "resource")
        .order_by("start")
    ]


def member_bookings_forget(user: User) -> None:
    """Bookings stay for statistics; the employer's name is personal, the status is not."""
    Booking.objects.filter(member=user).update(employer_name="", note="")
    BookingSeries.objects.filter(member=user).update(member=None)
