"""Two years of the demo network's history for the observatory: regular members who book
desks by the half-day and check in, no-shows released, walk-ins, with the seasons of a
rural third place (quiet in August and at Christmas, busy in spring and autumn). About
half of the visits are salaried remote workers, as in the founding case.

Drawn from a fixed seed over the two calendar years before the demo's year, and written
in bulk: the same seed and year give the same rows and the same figures."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from buron.accounts.models import StatusPeriod, User, VisitorStatus
from buron.attendance.models import AttendanceSettings, Visit, VisitSource
from buron.attendance.services import commute_avoided
from buron.booking.models import Booking, BookingKind, BookingSlot, BookingStatus
from buron.booking.slots import AFTERNOON_SLOT, MORNING_SLOT, local_datetime
from buron.places.models import BookingUnit, Commune, Network, Resource, Site
from buron.places.selectors import DaySchedule, OpenPeriod, site_schedules

from .attendance import HOMES, MEMBER_WORKPLACE

SEED = 15  # the Cantal's department number
NAMESPACE = uuid.UUID("2d0c6f7e-6a1b-4c1e-9f0a-150000000015")
MEMBERS = 48
EMAIL = "habitue-{n:02d}@buron.example"
# Who the regulars are: half salaried remote workers.
MEMBER_STATUSES = (
    [VisitorStatus.SALARIED_REMOTE] * 6
    + [VisitorStatus.FREELANCER] * 3
    + [VisitorStatus.STARTUP, VisitorStatus.PUBLIC_AGENT]
)
WALK_IN_STATUSES = (
    [VisitorStatus.SALARIED_REMOTE] * 3
    + [VisitorStatus.JOB_SEEKER] * 3
    + [VisitorStatus.STUDENT] * 2
    + [VisitorStatus.FREELANCER, VisitorStatus.OTHER]
)
# Share of a desk's half-days booked, by month (January first).
SEASON = (0.30, 0.34, 0.40, 0.42, 0.40, 0.36, 0.26, 0.12, 0.38, 0.42, 0.40, 0.22)
NO_SHOW = 0.06


def history_range(year: int) -> tuple[dt.date, dt.date]:
    """The two calendar years before the demo's year."""
    return dt.date(year - 2, 1, 1), dt.date(year - 1, 12, 31)


@dataclass
class _History:
    """What the history writes, gathered before the bulk inserts."""

    network: Network
    statuses: dict[int, str]
    rng: random.Random
    bookings: list[Booking] = field(default_factory=list)
    slots: list[list[tuple[Resource, dt.date, int]]] = field(default_factory=list)
    visits: list[tuple[Site, dt.date, User | None, str, Booking | None, int, str]] = field(
        default_factory=list
    )


def _regulars(
    *, start: dt.date, communes: dict[str, Commune]
) -> tuple[list[User], dict[int, str], dict[int, Commune]]:
    """The regular members (no usable password), their statuses and their home communes."""
    password = make_password(None)
    members = User.objects.bulk_create(
        [
            User(
                email=EMAIL.format(n=n),
                first_name="Habitué",
                last_name=f"{n:02d}",
                password=password,
            )
            for n in range(MEMBERS)
        ]
    )
    statuses: dict[int, str] = {
        m.pk: MEMBER_STATUSES[n % len(MEMBER_STATUSES)] for n, m in enumerate(members)
    }
    homes = {m.pk: communes[HOMES[n % len(HOMES)]] for n, m in enumerate(members)}
    StatusPeriod.objects.bulk_create(
        [
            StatusPeriod(
                user=m,
                status=statuses[m.pk],
                employer_name="Michelin" if statuses[m.pk] == VisitorStatus.SALARIED_REMOTE else "",
                valid_from=start,
            )
            for m in members
        ]
    )
    return members, statuses, homes


def _desk_booking(
    history: _History,
    *,
    site: Site,
    desk: Resource,
    first: OpenPeriod,
    last: OpenPeriod,
    day: dt.date,
    halves: list[str],
    member: User,
) -> None:
    """One regular's booking of a desk that day, released or followed by a visit."""
    rng, tz = history.rng, history.network.time_zone
    released = rng.random() < NO_SHOW
    booking = Booking(
        network_id=history.network.pk,
        site=site,
        resource=desk,
        kind=BookingKind.BOOKING,
        member=member,
        visitor_status=history.statuses[member.pk],
        start=local_datetime(day, first.opens, tz),
        end=local_datetime(day, last.closes, tz),
        period="day" if len(halves) == 2 else halves[0],
        status=BookingStatus.RELEASED if released else BookingStatus.ACTIVE,
        booked_by=member,
        cancelled_at=local_datetime(day, first.opens, tz) + dt.timedelta(hours=1)
        if released
        else None,
    )
    history.bookings.append(booking)
    history.slots.append(
        [(desk, day, MORNING_SLOT if h == "am" else AFTERNOON_SLOT) for h in halves]
    )
    if not released:
        history.visits.append(
            (site, day, member, history.statuses[member.pk], booking, rng.randrange(0, 40), "")
        )


def _site_day(
    history: _History,
    *,
    site: Site,
    day: dt.date,
    schedule: DaySchedule,
    desks: list[Resource],
    pool: list[User],
) -> None:
    """A site's open day: its regulars on some desks, and a few walk-ins."""
    rng = history.rng
    share = SEASON[day.month - 1]
    free = list(pool)
    rng.shuffle(free)
    for desk in desks:
        halves = [h for h in ("am", "pm") if schedule.period(h) and rng.random() < share]
        if not halves or not free:
            continue
        first, last = schedule.period(halves[0]), schedule.period(halves[-1])
        if first is None or last is None:
            continue
        _desk_booking(
            history,
            site=site,
            desk=desk,
            first=first,
            last=last,
            day=day,
            halves=halves,
            member=free.pop(),
        )
    for _walk_in in range(rng.choice((0, 0, 1, 1, 2)) if share > 0.2 else rng.choice((0, 1))):
        history.visits.append(
            (
                site,
                day,
                None,
                rng.choice(WALK_IN_STATUSES),
                None,
                rng.randrange(0, 180),
                rng.choice(HOMES),
            )
        )


def demo_history_load(*, network: Network, year: int) -> int:
    """Load the history once (nothing if its members exist already); returns how many
    visits were written."""
    if User.objects.filter(email=EMAIL.format(n=0)).exists():
        return 0
    rng = random.Random(f"{SEED}-{year}")  # noqa: S311 - reproducible, not secret
    start, end = history_range(year)
    settings = AttendanceSettings.objects.get(network=network)
    communes = Commune.objects.in_bulk([*HOMES, MEMBER_WORKPLACE])
    members, statuses, homes = _regulars(start=start, communes=communes)
    sites = list(Site.objects.filter(network=network).select_related("network").order_by("slug"))
    desks: dict[int, list[Resource]] = {}
    for resource in Resource.objects.filter(
        site__in=sites, booking_unit=BookingUnit.HALF_DAY, is_active=True
    ).order_by("pk"):
        desks.setdefault(resource.site_id, []).append(resource)
    # Each regular has a home site (and sometimes visits another).
    pools: dict[int, list[User]] = {s.pk: [] for s in sites if s.pk in desks}
    pool_sites = sorted(pools)
    for n, member in enumerate(members):
        pools[pool_sites[n % len(pool_sites)]].append(member)
    schedules = site_schedules(sites, start, end)
    tz = network.time_zone
    history = _History(network=network, statuses=statuses, rng=rng)
    for site in sites:
        if site.pk not in desks:
            continue
        for day, schedule in sorted(schedules[site.pk].items()):
            if schedule.is_open:
                _site_day(
                    history,
                    site=site,
                    day=day,
                    schedule=schedule,
                    desks=desks[site.pk],
                    pool=pools[site.pk],
                )
    bookings, slots, visit_rows = history.bookings, history.slots, history.visits
    Booking.objects.bulk_create(bookings, batch_size=1000)
    BookingSlot.objects.bulk_create(
        [
            BookingSlot(
                booking=booking,
                network_id=network.pk,
                resource=desk,
                day=day,
                slot=slot,
                is_active=booking.status == BookingStatus.ACTIVE,
            )
            for booking, held in zip(bookings, slots, strict=True)
            for desk, day, slot in held
        ],
        batch_size=1000,
    )
    visits = []
    for n, (site, day, visitor, status, held_by, minute, home_code) in enumerate(visit_rows):
        home = homes[visitor.pk] if visitor else communes[home_code]
        commute = commute_avoided(settings=settings, site=site, home=home, work=None)
        visits.append(
            Visit(
                network_id=network.pk,
                site=site,
                day=day,
                arrived_at=local_datetime(day, dt.time(8, 30), tz) + dt.timedelta(minutes=minute),
                client_uuid=uuid.uuid5(NAMESPACE, f"history-{year}-{n}"),
                source=VisitSource.QR if visitor else VisitSource.WALK_IN,
                member=visitor,
                booking=held_by,
                visitor_status=status,
                home_commune=home,
                km_avoided=commute.km_avoided,
                co2_kg_avoided=commute.co2_kg_avoided,
                co2_kg_per_km=commute.co2_kg_per_km,
            )
        )
    Visit.objects.bulk_create(visits, batch_size=1000)
    return len(visits)
