"""Create bookings: desks and offices by the half-day, rooms by the hour."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks_db import DatabaseBackend

from buron.accounts.models import User
from buron.core import sql
from buron.core.queue import task_enqueue, tasks_together
from buron.places.models import BookingUnit, Resource, ResourceKind, Site
from buron.places.selectors import DaySchedule

from .. import participants, selectors, store, tasks
from ..bookable import last_bookable_day, period_closed
from ..errors import Alternative, SlotTaken
from ..models import Booking, BookingPolicy, BookingSeries, BookingSlot, Period
from ..site_rules import DayRules, day_rules
from ..slots import Span, half_day_span, hour_slots, open_hours, zone
from .rules import (
    HALF_DAY_KINDS,
    MemberDay,
    check_member,
    check_site_open,
    check_when,
    judge_member,
    lock_member,
    member_day_of,
    refusal,
    refused,
)


def _new_booking(
    *,
    member: User,
    day: MemberDay,
    booked_by: User | None,
    site: Site,
    resource: Resource,
    span: Span,
    period: str,
    series: BookingSeries | None = None,
) -> Booking | None:
    """Write the booking and one row per slot it holds; None, with nothing left written,
    when the database already holds one of those slots for an active booking.

    A slot already held is simply not written (ON CONFLICT DO NOTHING), so a one-slot
    claim needs no savepoint: when refused, its booking row, which no one else waits on,
    is deleted. A claim of several slots may get some of them: it is rolled back to a
    savepoint, which frees at once the slots it wrote (deleting them would keep
    concurrent claims of those slots waiting until this transaction ends, and two such
    claims taking desks in opposite orders could deadlock)."""
    several = len(span.slots) > 1
    savepoint = transaction.savepoint() if several else None
    booking = Booking(
        network_id=site.network_id,
        site=site,
        resource=resource,
        member=member,
        visitor_status=day.status,
        employer_name=day.employer_name,
        start=span.start,
        end=span.end,
        period=period,
        series=series,
        booked_by=booked_by if booked_by and booked_by.pk != member.pk else None,
    )
    sql.insert(booking)
    slots = [
        BookingSlot(
            booking=booking, network_id=site.network_id, resource=resource, day=span.day, slot=slot
        )
        for slot in span.slots
    ]
    # The unique slot row decides: a slot a concurrent booking holds is not written, nor
    # any on a resource a concurrent departure has just taken away.
    if store.slots_claim(slots):
        if savepoint:
            transaction.savepoint_commit(savepoint)
        return booking
    if savepoint:
        transaction.savepoint_rollback(savepoint)
    else:
        store.booking_row_delete(booking_id=booking.pk)
    return None


def _claims(*, candidates: list[Resource], **kwargs: Any) -> Booking | None:
    """Book the first candidate whose slots the database lets this booking hold (a
    concurrent winner makes it refuse them, and the next is tried)."""
    for candidate in candidates:
        booking = _new_booking(resource=candidate, **kwargs)
        if booking is not None:
            return booking
    return None


def _alternatives(
    *,
    site: Site,
    day: dt.date,
    period: str,
    kind: str,
    now: dt.datetime | None = None,
    policy: BookingPolicy | None = None,
) -> list[Alternative]:
    """What else is free: the nearest other sites that day, then the same site later.

    When a site fills up, everyone who asked for it at that moment gets the same answer: it
    is looked up once and kept a few seconds (settings.BOOKING_ALTERNATIVES_SECONDS) in the
    "local" cache (each process's memory). A suggestion a few
    seconds old is only a suggestion: booking it checks again, and the database still
    refuses any slot held twice."""
    # Later days only as far as the site's rules let them be booked (the horizon).
    last = last_bookable_day(
        now=now or timezone.now(),
        time_zone=site.network.time_zone,
        policy=policy or day_rules(site, day).policy,
    )
    days = max(0, min(ALTERNATIVE_DAYS, (last - day).days))
    key = f"booking:alternatives:{site.pk}:{day.isoformat()}:{period}:{kind}:{days}"
    local = caches["local"]
    found: list[Alternative] | None = local.get(key)
    if found is None:
        found = _alternatives_now(site=site, day=day, period=period, kind=kind, days=days)
        local.set(key, found, settings.BOOKING_ALTERNATIVES_SECONDS)
    return found


# How many other sites a "just taken" answer suggests, and how many days ahead it looks
# for the same site.
ALTERNATIVE_SITES = 3
ALTERNATIVE_DAYS = 14


def _alternatives_now(
    *,
    site: Site,
    day: dt.date,
    period: str,
    kind: str,
    days: int = ALTERNATIVE_DAYS,
    limit: int = 5,
) -> list[Alternative]:
    """The nearest other sites free that day, then the same site on the next days."""
    when = day.isoformat()
    found = [
        Alternative(other.slug, other.name, when, period, other.free)
        for other in selectors.free_elsewhere(site=site, day=day, period=period, kind=kind)[
            :ALTERNATIVE_SITES
        ]
    ]
    later = (
        selectors.free_later(
            site=site, start=day + dt.timedelta(days=1), days=days, period=period, kind=kind
        )
        if days > 0
        else []
    )
    found += [
        Alternative(site.slug, site.name, later_day.isoformat(), period, free)
        for later_day, free in later
    ]
    return found[:limit]


def confirm_by_email(bookings: list[Booking]) -> None:
    """Queue the confirmation of bookings, never of a rollback. In the database's queue
    (django-tasks-db) the task is written in the bookings' own transaction: it commits or
    rolls back with them (within tasks_together, in the statement that writes the other
    tasks the booking queued). Any other queue is handed the task once the transaction has
    committed."""
    ids = [b.pk for b in bookings if b.member_id]
    if not ids:
        return
    language = get_language() or "fr"

    def send() -> None:
        task_enqueue(tasks.booking_confirmation_send, booking_ids=ids, language=language)

    if isinstance(tasks.booking_confirmation_send.get_backend(), DatabaseBackend):
        send()
    else:
        transaction.on_commit(send)


def _half_day_span_or_refuse(site: Site, schedule: DaySchedule, period: str) -> Span:
    check_site_open(site, schedule)
    span = half_day_span(schedule, period, site.network.time_zone)
    if span is None:
        raise refused(period_closed(site_name=site.name))
    return span


# How many resources one look hands to the claim loop: enough to ride out a few concurrent
# winners on PostgreSQL, few enough to stay one small read.
CANDIDATES = 8


def _look(*, site: Site, kind: str, span: Span) -> store.Look:
    """The active resources of that kind at the site holding none of the span's slots (the
    first few), and whether the site has any such resource at all: one read."""
    return store.look(site=site, kind=kind, span=span, limit=CANDIDATES)


def _first_look(*, member: User, site: Site, kind: str, span: Span) -> tuple[store.Look, MemberDay]:
    """_look and the member's day (member_day) in one read, before any lock: what a booking
    needs to refuse, or to say "just taken", without a transaction. The member's day is
    read again under the lock before anything is written."""
    look, found = store.first_look(
        member_id=member.pk, site=site, kind=kind, span=span, limit=CANDIDATES
    )
    return look, member_day_of(found, span)


@dataclass(frozen=True)
class HalfDayAsk:
    """What a half-day booking asks for: who, where, when, which kind (or which
    resource), who books for them, and their choices for the participants."""

    member: User
    site: Site
    day: dt.date
    period: str
    kind: str = ResourceKind.DESK
    resource: Resource | None = None
    booked_by: User | None = None
    series: BookingSeries | None = None
    choices: Mapping[str, str] = field(default_factory=dict)


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
    notify: bool = True,
    rules: DayRules | None = None,
    choices: Mapping[str, str] | None = None,
) -> Booking:
    """Book a desk or office for a half-day or a day; a free one is assigned unless given.

    The site's rules (opening, closures, horizon) and a first look at the free resources
    are read outside any lock; the member's own bookings are read again inside the
    booking's transaction, where the database's one row per held slot decides between
    concurrent claims. Raises BookingRefused when a rule says no, SlotTaken when nothing
    is free any more — with the next free alternatives, looked up once the booking's
    transaction is over so that the search never holds a lock. Give the site's rules
    that day when they were read with the site (published_site_day). Registered
    participants (buron.booking.participants) are called inside the booking's transaction
    with `choices`; one that refuses rolls the booking back.
    """
    ask = HalfDayAsk(member, site, day, period, kind, resource, booked_by, None, choices or {})
    return half_day_book(ask, now=now or timezone.now(), rules=rules, notify=notify)


def _check_ask(ask: HalfDayAsk) -> None:
    """Refuse a period, kind or resource a half-day booking cannot have."""
    if ask.period not in (Period.MORNING, Period.AFTERNOON, Period.DAY):
        raise refusal(_("Choose morning, afternoon or full day."), "invalid_period", "period")
    if ask.kind not in HALF_DAY_KINDS:
        raise refusal(_("This kind of resource is booked by the hour."), "invalid_kind", "kind")
    resource = ask.resource
    if resource is None:
        return
    if resource.site_id != ask.site.pk or resource.kind != ask.kind:
        raise refusal(
            _("This resource is not of the kind asked for, or not at this site."),
            "wrong_resource",
            "resource",
        )
    if not resource.is_active:
        raise refusal(_("This resource cannot be booked at the moment."), "inactive", "resource")


def _candidates(ask: HalfDayAsk, span: Span, policy: BookingPolicy) -> list[Resource]:
    """The resources to claim, in order: the one asked for, else those a first look found
    free. The first look, outside any lock, reads the member's day too: a refusal or a full
    site is answered without a transaction (a refusal needs no lock; the member's own
    bookings are the better answer than "taken"). A desk it finds may be taken before the
    claim: the database then refuses that claim and the next one is tried."""
    if ask.resource is not None:
        return [ask.resource]
    look, preview = _first_look(member=ask.member, site=ask.site, kind=ask.kind, span=span)
    if not look.any_resource:
        raise refusal(
            _("%(site)s has no bookable resource of this kind.") % {"site": ask.site.name},
            "no_resource",
            "kind",
        )
    if not ask.member.is_active:
        raise refusal(_("This account is closed."), "member_inactive")
    judge_member(preview, policy)
    if not look.free:
        raise _taken(ask.site)
    return look.free


def half_day_book(
    ask: HalfDayAsk,
    *,
    now: dt.datetime,
    rules: DayRules | None = None,
    notify: bool = True,
    alternatives: bool = True,
) -> Booking:
    """booking_create_half_day for an ask already made (a recurring series books each
    occurrence this way, without an email each nor alternatives)."""
    _check_ask(ask)
    if rules is None or rules.schedule.day != ask.day:
        rules = day_rules(ask.site, ask.day)
    span = _half_day_span_or_refuse(ask.site, rules.schedule, ask.period)
    check_when(ask.site, span, now, rules.policy)
    try:
        return _hold_half_day(
            ask,
            span=span,
            candidates=_candidates(ask, span, rules.policy),
            policy=rules.policy,
            notify=notify,
        )
    except SlotTaken as exc:
        if alternatives:
            exc.alternatives = _alternatives(
                site=ask.site,
                day=ask.day,
                period=ask.period,
                kind=ask.kind,
                now=now,
                policy=rules.policy,
            )
        raise


def _taken(site: Site) -> SlotTaken:
    return SlotTaken(
        _("Just taken: nothing is free any more at %(site)s for this period.") % {"site": site.name}
    )


@transaction.atomic
def _hold_half_day(
    ask: HalfDayAsk,
    *,
    span: Span,
    candidates: list[Resource],
    policy: BookingPolicy,
    notify: bool,
) -> Booking:
    member = ask.member
    lock_member(member, ask.site)
    # Desks and offices are booked by the half-day (the database ties the unit to the kind).
    day = check_member(member, BookingUnit.HALF_DAY, span, policy)
    common: dict[str, Any] = {
        "member": member,
        "day": day,
        "booked_by": ask.booked_by,
        "site": ask.site,
        "span": span,
        "period": ask.period,
        "series": ask.series,
    }
    booking = _claims(candidates=candidates, **common)
    if booking is None and ask.resource is None:
        # Every desk of the first look was taken meanwhile: look again, once.
        booking = _claims(candidates=_look(site=ask.site, kind=ask.kind, span=span).free, **common)
    if booking is None:
        raise _taken(ask.site)
    # The tasks the participants and the confirmation queue: written in one statement.
    with tasks_together():
        _tell_participants(booking, ask.booked_by or member, ask.choices)
        if notify:
            confirm_by_email([booking])
    return booking


def _tell_participants(booking: Booking, by: User, choices: Mapping[str, str]) -> None:
    """Call the registered participants inside the booking's transaction; what they
    report is kept on the booking (Booking.outcome) for the caller to show."""
    participants.booking_created(
        participants.BookingChange(booking=booking, by=by, choices=choices, outcome=booking.outcome)
    )


def booking_create_hours(
    *,
    member: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    booked_by: User | None = None,
    now: dt.datetime | None = None,
    choices: Mapping[str, str] | None = None,
) -> Booking:
    """Book a resource given by times: a room for whole hours of one day, or a desk or
    office for one of its half-days (then booked as booking_create_half_day books it).

    The times and the site's rules are checked before any transaction; only the member's
    day and the claim run under the member's lock. When the room was just taken, the free
    hours left that day are looked up after the transaction and offered."""
    now = now or timezone.now()
    if not resource.is_active:
        raise refusal(_("This resource cannot be booked at the moment."), "inactive", "resource")
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise refusal(
            _("Give times with their offset, e.g. 2027-03-02T09:00:00+01:00."),
            "naive_time",
            "start",
        )
    if end <= start:
        raise refusal(_("The end must come after the start."), "end_before_start", "end")
    site = resource.site
    local_day = start.astimezone(zone(site.network.time_zone)).date()
    rules = day_rules(site, local_day)
    check_site_open(site, rules.schedule)
    if resource.booking_unit != BookingUnit.HOUR:
        return booking_create_half_day(
            member=member,
            site=site,
            day=local_day,
            period=_half_day_of(resource, rules, start, end),
            kind=resource.kind,
            resource=resource,
            booked_by=booked_by,
            now=now,
            rules=rules,
            choices=choices,
        )
    span = _hours_span_or_refuse(site, rules, start=start, end=end, day=local_day)
    check_when(site, span, now, rules.policy)
    try:
        return _hold_hours(
            member=member,
            resource=resource,
            span=span,
            booked_by=booked_by,
            policy=rules.policy,
            choices=choices or {},
        )
    except SlotTaken as exc:
        exc.alternatives = _room_alternatives(resource=resource, day=local_day, now=now)
        raise


def _half_day_of(resource: Resource, rules: DayRules, start: dt.datetime, end: dt.datetime) -> str:
    """The half-day period whose times are exactly start and end, or a refusal."""
    tz = resource.site.network.time_zone
    for period in (Period.DAY, Period.MORNING, Period.AFTERNOON):
        span = half_day_span(rules.schedule, period, tz)
        if span and span.start == start and span.end == end:
            return period
    raise refusal(
        _("This resource is booked by the half-day: use the site's opening times."),
        "not_half_day",
        "start",
    )


def _hours_span_or_refuse(
    site: Site, rules: DayRules, *, start: dt.datetime, end: dt.datetime, day: dt.date
) -> Span:
    """Whole hours of one day, all within the site's opening hours, or a refusal."""
    hours = hour_slots(start, end, site.network.time_zone)
    if hours is None:
        raise refusal(
            _("A room is booked by whole hours within one day."), "not_whole_hours", "start"
        )
    if not set(hours) <= set(open_hours(rules.schedule)):
        raise refusal(
            _("%(site)s is not open for all these hours.") % {"site": site.name},
            "hours_closed",
            "start",
        )
    return Span(day, hours, start, end)


@transaction.atomic
def _hold_hours(
    *,
    member: User,
    resource: Resource,
    span: Span,
    booked_by: User | None,
    policy: BookingPolicy,
    choices: Mapping[str, str],
) -> Booking:
    lock_member(member, resource.site)
    day = check_member(member, resource.booking_unit, span, policy)
    booking = _claims(
        candidates=[resource],
        member=member,
        day=day,
        booked_by=booked_by,
        site=resource.site,
        span=span,
        period=Period.HOURS,
    )
    if booking is None:
        raise SlotTaken(_("Just taken: this room is no longer free at that time."))
    with tasks_together():
        _tell_participants(booking, booked_by or member, choices)
        confirm_by_email([booking])
    return booking


def _room_alternatives(*, resource: Resource, day: dt.date, now: dt.datetime) -> list[Alternative]:
    """The hours still free that day for this room (and bookable: not over)."""
    found = selectors.availability(
        day=day,
        period=Period.DAY,
        kind=resource.kind,
        sites=Site.objects.filter(pk=resource.site_id),
        now=now,
    )
    hours = next((f.free_hours or [] for r in found for f in r.free if f.id == resource.pk), [])
    return [
        Alternative(resource.site.slug, resource.site.name, day.isoformat(), f"{h:02d}:00", 1)
        for h in hours[:5]
    ]
