"""The demo's attendance: the network's settings, each site's check-in code, and a fortnight
of visits (members checked in, walk-ins) before the day it is loaded, drawn from a fixed
seed. Loading again the same day changes nothing (visit identifiers are derived from the
seed)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from buron.accounts.models import MemberProfile, User, VisitorStatus
from buron.attendance.models import AttendanceSettings, Visit, VisitSource
from buron.attendance.services import checkin_point_ensure, commute_avoided
from buron.booking.slots import local_datetime
from buron.places.models import Commune, Network, Site

from . import network as demo

SEED = 2009  # the year CyberCantal Télé-centre began
NAMESPACE = uuid.UUID("6f1d1c1e-3c4a-4d8e-9a51-0b0e5d1e2009")
REFERENCE_TOWN = "15014"  # Aurillac, the largest town
MEMBER_WORKPLACE = "63113"  # Clermont-Ferrand
# Where the demo's visitors live, near the sites.
HOMES = ("15138", "15001", "15187", "15014", "15120", "15162", "15054", "15025", "15108")
# About half salaried remote workers, as in the founding case.
STATUSES = (
    [VisitorStatus.SALARIED_REMOTE] * 10
    + [VisitorStatus.FREELANCER] * 4
    + [VisitorStatus.STARTUP] * 2
    + [VisitorStatus.JOB_SEEKER] * 2
    + [VisitorStatus.STUDENT, VisitorStatus.PUBLIC_AGENT]
)
BUSY_SITES = ("aurillac", "murat", "saint-flour", "allanche", "mauriac")
DAYS = 14


def _working_days_before(today: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = today
    while len(days) < count:
        day -= dt.timedelta(days=1)
        if (
            day.weekday() < 5
            and not (day.month == 12 and day.day >= 24)
            and day != dt.date(day.year, 1, 1)
        ):
            days.append(day)
    return days


def demo_attendance_load(*, network: Network, sites: dict[str, Site], member: User) -> int:
    """Settings, check-in codes and the visits of the last working days; returns how many
    visits were added."""
    communes = Commune.objects.in_bulk([*HOMES, REFERENCE_TOWN, MEMBER_WORKPLACE])
    settings, _created = AttendanceSettings.objects.get_or_create(
        network=network, defaults={"reference_commune": communes[REFERENCE_TOWN]}
    )
    for site in sites.values():
        checkin_point_ensure(site=site)
    MemberProfile.objects.filter(user=member, work_commune__isnull=True).update(
        work_commune=communes[MEMBER_WORKPLACE]
    )
    profile = MemberProfile.objects.select_related("commune", "work_commune").get(user=member)
    today = timezone.localdate()
    rng = random.Random(f"{SEED}-{today.isoformat()}")  # noqa: S311 - reproducible, not secret
    visits: list[Visit] = []
    for day in _working_days_before(today, DAYS):
        # The demo member works from Murat on Tuesdays and Thursdays.
        if day.weekday() in (1, 3):
            visits.append(
                _visit(
                    f"{day}-member",
                    site=sites[demo.HOST_SITE],
                    day=day,
                    minute=rng.randrange(0, 40),
                    settings=settings,
                    status=VisitorStatus.SALARIED_REMOTE,
                    home=profile.commune,
                    work=profile.work_commune,
                    member=member,
                )
            )
        for slug in BUSY_SITES:
            for number in range(rng.randrange(1, 5)):
                status = rng.choice(STATUSES)
                visits.append(
                    _visit(
                        f"{day}-{slug}-{number}",
                        site=sites[slug],
                        day=day,
                        minute=rng.randrange(0, 180),
                        settings=settings,
                        status=status,
                        home=communes[rng.choice(HOMES)],
                        work=communes[MEMBER_WORKPLACE]
                        if status == VisitorStatus.SALARIED_REMOTE and rng.random() < 0.3
                        else None,
                    )
                )
    before = Visit.objects.filter(network=network).count()
    Visit.objects.bulk_create(visits, ignore_conflicts=True)
    return Visit.objects.filter(network=network).count() - before


def _visit(
    name: str,
    *,
    site: Site,
    day: dt.date,
    minute: int,
    settings: AttendanceSettings,
    status: str,
    home: Commune | None,
    work: Commune | None,
    member: User | None = None,
) -> Visit:
    commute = commute_avoided(settings=settings, site=site, home=home, work=work)
    arrived_at = local_datetime(day, dt.time(8, 30), site.network.time_zone) + dt.timedelta(
        minutes=minute
    )
    return Visit(
        network_id=site.network_id,
        site=site,
        day=day,
        arrived_at=arrived_at,
        client_uuid=uuid.uuid5(NAMESPACE, name),
        source=VisitSource.QR if member else VisitSource.WALK_IN,
        member=member,
        visitor_status=status,
        home_commune=home,
        work_commune=work,
        km_avoided=commute.km_avoided,
        co2_kg_avoided=commute.co2_kg_avoided,
        co2_kg_per_km=commute.co2_kg_per_km,
    )
