"""Writes about attendance: check-ins of members, walk-ins, no-show releases, check-in codes.

A check-in carries a client-generated UUID, unique in the database: a phone retrying an
offline check-in, a door system replaying its call or a form posted twice record one
visit. A member also counts once per site and day, whichever way they check in.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buron.accounts.models import MemberProfile, User, VisitorStatus
from buron.accounts.selectors import status_on
from buron.booking.models import Booking, BookingKind, BookingStatus
from buron.booking.services import booking_release
from buron.booking.slots import local_datetime, zone
from buron.core.geo import distance_km
from buron.places.models import Commune, Site

from . import events, selectors, tasks
from .models import AttendanceSettings, CheckinPoint, Visit, VisitSource

# A check-in kept on a phone offline is accepted this long after the fact.
OFFLINE_FOR_AT_MOST = dt.timedelta(days=3)
# Clocks of phones and door systems run a little fast or slow.
CLOCK_SKEW = dt.timedelta(minutes=5)
# A no-show release run catches up on bookings started this long ago (a stopped worker).
CATCH_UP = dt.timedelta(hours=24)

KM = Decimal("0.1")
KG = Decimal("0.001")


class CheckinRefused(ValidationError):
    """A check-in that cannot be recorded (a message per field): 422 in the API."""


def _refusal(field: str, message: str, code: str) -> CheckinRefused:
    return CheckinRefused({field: [ValidationError(message, code=code)]})


@dataclass(frozen=True)
class CheckinResult:
    """The visit a check-in recorded, or the one already recorded (created False)."""

    visit: Visit
    created: bool


@dataclass(frozen=True)
class Commute:
    km_avoided: Decimal | None
    co2_kg_avoided: Decimal | None
    co2_kg_per_km: Decimal | None


def commute_avoided(
    *,
    settings: AttendanceSettings,
    site: Site,
    home: Commune | None,
    work: Commune | None,
) -> Commute:
    """The round trip by road a visit avoids: home to the usual workplace (else to the
    network's reference town) and back, less home to the site and back, never below zero.
    Road distance = straight line between town halls (or the site) × the network's road
    factor. Unknown (None) without a commune of residence or a destination."""
    destination = work or settings.reference_commune
    if home is None or destination is None:
        return Commute(None, None, None)
    usual = distance_km(home.latitude, home.longitude, destination.latitude, destination.longitude)
    here = distance_km(home.latitude, home.longitude, site.latitude, site.longitude)
    straight = Decimal(str(max(0.0, usual - here)))
    km = (2 * straight * settings.road_factor).quantize(KM, rounding=ROUND_HALF_UP)
    co2 = (km * settings.co2_kg_per_km).quantize(KG, rounding=ROUND_HALF_UP)
    return Commute(km, co2, settings.co2_kg_per_km)


def _check_time(arrived_at: dt.datetime, now: dt.datetime) -> None:
    if timezone.is_naive(arrived_at):
        raise _refusal(
            "arrived_at",
            _("Give the time with its offset, e.g. 2027-03-02T09:05:00+01:00."),
            "naive",
        )
    if arrived_at > now + CLOCK_SKEW:
        raise _refusal("arrived_at", _("A check-in cannot be in the future."), "future")
    if arrived_at < now - OFFLINE_FOR_AT_MOST:
        raise _refusal(
            "arrived_at",
            _("This check-in is more than %(days)s days old: ask the site's host to record it.")
            % {"days": OFFLINE_FOR_AT_MOST.days},
            "too_old",
        )


def _replayed(client_uuid: uuid.UUID, *, site: Site, member: User | None) -> CheckinResult | None:
    """The visit this UUID already recorded; refused if it recorded another check-in."""
    existing = Visit.objects.filter(client_uuid=client_uuid).first()
    if existing is None:
        return None
    if existing.site_id != site.pk or existing.member_id != (member.pk if member else None):
        raise _refusal(
            "client_uuid",
            _("This check-in identifier was already used for another check-in."),
            "uuid_reused",
        )
    return CheckinResult(existing, False)


def _local_day(site: Site, moment: dt.datetime) -> dt.date:
    return moment.astimezone(zone(site.network.time_zone)).date()


def _create(visit: Visit, *, lookup: dict[str, object]) -> CheckinResult:
    """Insert the visit; if a concurrent check-in recorded it first, return that one."""
    try:
        with transaction.atomic():
            visit.save(force_insert=True)
    except IntegrityError:
        existing = Visit.objects.filter(client_uuid=visit.client_uuid).first()
        if existing is None and lookup:
            existing = Visit.objects.filter(**lookup).first()
        if existing is None:
            raise
        return CheckinResult(existing, False)
    events.visits_changed({(visit.site_id, visit.day)})
    return CheckinResult(visit, True)


@transaction.atomic
def visit_checkin(
    *,
    site: Site,
    member: User,
    arrived_at: dt.datetime,
    client_uuid: uuid.UUID,
    source: str,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> CheckinResult:
    """Check a member in at a site at `arrived_at` (now, or when a phone or door system
    recorded it offline). Their booking of that day still running then, if any, is marked
    honoured: the member's bookings of the day are locked first, so a no-show release
    running at the same moment either sees this visit or has already released them.
    Give the site with its network."""
    now = now or timezone.now()
    _check_time(arrived_at, now)
    replay = _replayed(client_uuid, site=site, member=member)
    if replay is not None:
        return replay
    day = _local_day(site, arrived_at)
    tz = site.network.time_zone
    bookings = list(
        Booking.objects.select_for_update()
        .filter(
            member=member,
            site=site,
            kind=BookingKind.BOOKING,
            status=BookingStatus.ACTIVE,
            start__lt=local_datetime(day + dt.timedelta(days=1), dt.time(0), tz),
            end__gt=local_datetime(day, dt.time(0), tz),
        )
        .order_by("start")
    )
    same_day = Visit.objects.filter(member=member, site=site, day=day).first()
    if same_day is not None:
        # Counted once; an offline check-in that reaches us late keeps the earlier time.
        if arrived_at < same_day.arrived_at:
            same_day.arrived_at = arrived_at
            same_day.save(update_fields=["arrived_at"])
        return CheckinResult(same_day, False)
    booking = next((b for b in bookings if b.end > arrived_at), None)
    period = status_on(user=member, day=day)
    profile = (
        MemberProfile.objects.filter(user=member).select_related("commune", "work_commune").first()
    )
    home = profile.commune if profile else None
    work = profile.work_commune if profile else None
    commute = commute_avoided(
        settings=selectors.attendance_settings_for(network=site.network),
        site=site,
        home=home,
        work=work,
    )
    visit = Visit(
        network_id=site.network_id,
        site=site,
        day=day,
        arrived_at=arrived_at,
        client_uuid=client_uuid,
        source=source,
        member=member,
        booking=booking,
        recorded_by=by,
        visitor_status=period.status if period else "",
        home_commune=home,
        work_commune=work,
        km_avoided=commute.km_avoided,
        co2_kg_avoided=commute.co2_kg_avoided,
        co2_kg_per_km=commute.co2_kg_per_km,
    )
    return _create(visit, lookup={"member": member, "site": site, "day": day})


@transaction.atomic
def visit_walk_in(
    *,
    site: Site,
    visitor_status: str,
    home_commune: Commune | None,
    work_commune: Commune | None = None,
    arrived_at: dt.datetime,
    client_uuid: uuid.UUID,
    by: User | None,
    now: dt.datetime | None = None,
) -> CheckinResult:
    """Record a visitor without a booking nor an account: their status and commune.
    Give the site with its network."""
    now = now or timezone.now()
    errors: dict[str, list[ValidationError]] = {}
    if visitor_status not in VisitorStatus.values:
        errors["status"] = [
            ValidationError(
                _("Unknown status “%(value)s”. Choose one of: %(choices)s.")
                % {"value": visitor_status, "choices": ", ".join(VisitorStatus.values)},
                code="unknown_status",
            )
        ]
    if home_commune is None:
        errors["commune"] = [
            ValidationError(_("Give the visitor's commune of residence."), code="required")
        ]
    if errors:
        raise CheckinRefused(errors)
    _check_time(arrived_at, now)
    replay = _replayed(client_uuid, site=site, member=None)
    if replay is not None:
        return replay
    commute = commute_avoided(
        settings=selectors.attendance_settings_for(network=site.network),
        site=site,
        home=home_commune,
        work=work_commune,
    )
    visit = Visit(
        network_id=site.network_id,
        site=site,
        day=_local_day(site, arrived_at),
        arrived_at=arrived_at,
        client_uuid=client_uuid,
        source=VisitSource.WALK_IN,
        recorded_by=by,
        visitor_status=visitor_status,
        home_commune=home_commune,
        work_commune=work_commune,
        km_avoided=commute.km_avoided,
        co2_kg_avoided=commute.co2_kg_avoided,
        co2_kg_per_km=commute.co2_kg_per_km,
    )
    return _create(visit, lookup={})


def checkin_point_ensure(*, site: Site) -> CheckinPoint:
    """The site's check-in code, made on first use."""
    point, _created = CheckinPoint.objects.get_or_create(
        site=site, defaults={"token": secrets.token_urlsafe(18)}
    )
    return point


def checkin_point_renew(*, site: Site) -> CheckinPoint:
    """A new code for the site: the old poster's QR code stops working."""
    point = checkin_point_ensure(site=site)
    point.token = secrets.token_urlsafe(18)
    point.save(update_fields=["token"])
    return point


def _nobody_came(booking: Booking) -> bool:
    """No visit of the booking's member at its site on its day before it ended."""
    if booking.member_id is None:
        return True
    return not Visit.objects.filter(
        member_id=booking.member_id,
        site_id=booking.site_id,
        day=_local_day(booking.site, booking.start),
        arrived_at__lt=booking.end,
    ).exists()


def no_shows_release(*, now: dt.datetime | None = None) -> list[Booking]:
    """Release the bookings nobody checked in for within their network's delay after
    their start, or after they were made if later (started at most a day ago): the
    resource is free for others, the booking counts as a no-show, and its member is told
    by email. Returns the bookings released."""
    now = now or timezone.now()
    candidates = list(
        Booking.objects.filter(
            kind=BookingKind.BOOKING,
            status=BookingStatus.ACTIVE,
            start__lte=now,
            start__gte=now - CATCH_UP,
        ).select_related("site__network")
    )
    if not candidates:
        return []
    delays = selectors.no_show_delays(network_ids={b.network_id for b in candidates})
    # A booking made after its start (the morning booked at 10:00) gets the same delay
    # from when it was made.
    due = [b for b in candidates if max(b.start, b.created_at) + delays[b.network_id] <= now]
    came = selectors.visited(
        keys={(b.member_id, b.site_id, _local_day(b.site, b.start)) for b in due if b.member_id}
    )
    released: list[Booking] = []
    language = get_language() or "fr"
    for booking in due:
        key = (booking.member_id, booking.site_id, _local_day(booking.site, booking.start))
        if key in came and came[key] < booking.end:
            continue
        done = booking_release(booking=booking, nobody_came=_nobody_came, now=now)
        if done is None:
            continue
        released.append(done)
        if done.member_id is not None:
            # The release is committed (each in its own transaction): tell the member.
            tasks.no_show_notice_send.enqueue(booking_id=done.pk, language=language)
    return released
