"""GET /api/v1/observatory/summary on a small history built by hand, each figure worked
out by hand below; and who may read what."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import UserFactory
from buron.attendance.models import Visit
from buron.booking.models import Booking
from buron.booking.services import booking_create_half_day, booking_release, resource_block
from buron.places.tests.factories import NetworkFactory, ResourceFactory, SiteFactory, open_all_week

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONDAY = dt.date(2027, 3, 1)  # Monday 1 to Friday 5 March 2027: no public holiday
DAYS = [MONDAY + dt.timedelta(days=n) for n in range(5)]
URL = "/api/v1/observatory/summary?from=2027-03-01&to=2027-03-05"


@pytest.fixture
def world(db: None) -> dict[str, object]:
    """Murat (2 desks) and Allanche (1 desk) in the Cantal network, Mende (1 desk) in
    Lozère; all open Monday to Friday, morning and afternoon.

    Murat: desk 2 blocked on Wednesday; bookings: Monday all day (desk 1), Tuesday
    morning (desks 1 and 2), Thursday afternoon (desk 1, released as a no-show), Friday
    all day (desk 2). Visits: Murat 4 (member A on Monday and Tuesday, salaried; member B
    on Tuesday, freelancer; a walk-in on Wednesday, job seeker), Allanche 1 (member B,
    freelancer), Mende 1 (a walk-in, student)."""
    cantal = NetworkFactory(slug="cantal")
    murat = SiteFactory(network=cantal, slug="murat")
    allanche = SiteFactory(network=cantal, slug="allanche")
    mende = SiteFactory(network=NetworkFactory(slug="lozere"), slug="mende")
    for site in (murat, allanche, mende):
        open_all_week(site)
    desk1 = ResourceFactory(site=murat, name="Poste 1")
    desk2 = ResourceFactory(site=murat, name="Poste 2")
    ResourceFactory(site=murat, kind="meeting_room", booking_unit="hour", name="Salle")
    ResourceFactory(site=allanche)
    ResourceFactory(site=mende)
    a = UserFactory(email="a@example.org")
    b = UserFactory(email="b@example.org")
    blocker = User.objects.create_superuser("blocker@example.org", "a long password")
    with time_machine.travel(dt.datetime(2027, 2, 22, 9, tzinfo=PARIS), tick=False):
        resource_block(resource=desk2, start_date=DAYS[2], end_date=DAYS[2], by=blocker)
        for member, day, period, resource in (
            (a, DAYS[0], "day", desk1),
            (a, DAYS[1], "am", desk1),
            (b, DAYS[1], "am", desk2),
            (a, DAYS[3], "pm", desk1),
            (b, DAYS[4], "day", desk2),
        ):
            booking_create_half_day(
                member=member, site=murat, day=day, period=period, resource=resource
            )
    booking_release(booking=booking_of(a, DAYS[3]), nobody_came=lambda b: True)
    for site, day, member, status, km, co2 in (
        (murat, DAYS[0], a, "salaried_remote", "95.4", "20.797"),
        (murat, DAYS[1], a, "salaried_remote", "95.4", "20.797"),
        (murat, DAYS[1], b, "freelancer", None, None),
        (murat, DAYS[2], None, "job_seeker", "30.0", "6.540"),
        (allanche, DAYS[3], b, "freelancer", "10.0", "2.180"),
        (mende, DAYS[0], None, "student", "50.0", "10.900"),
    ):
        Visit.objects.create(
            network=site.network,
            site=site,
            day=day,
            arrived_at=dt.datetime.combine(day, dt.time(9), tzinfo=PARIS),
            client_uuid=uuid.uuid4(),
            source="walk_in" if member is None else "qr",
            member=member,
            visitor_status=status,
            km_avoided=Decimal(km) if km else None,
            co2_kg_avoided=Decimal(co2) if co2 else None,
        )
    call_command("observatory_rollups", "--from", "2027-03-01", "--to", "2027-03-05")
    return {"cantal": cantal, "murat": murat, "allanche": allanche, "mende": mende, "a": a}


def booking_of(member: User, day: dt.date) -> Booking:
    return Booking.objects.get(member=member, slots__day=day)


def token_of(user: User) -> str:
    return api_token_create(user=user)


def staff(email: str, **role: object) -> User:
    user = UserFactory(email=email)
    StaffRole.objects.create(user=user, **role)
    return user


def get(client: Client, user: User | None, url: str = URL):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_of(user)}"} if user else {}
    with time_machine.travel(dt.datetime(2027, 3, 8, 9, tzinfo=PARIS), tick=False):
        return client.get(url, **headers)


def test_a_host_reads_the_figures_of_their_site(client, world):
    host = staff(
        "host.murat@example.org", network=world["cantal"], site=world["murat"], role=Role.SITE_HOST
    )
    figures = get(client, host).json()
    # Open: 2 desks × 5 days × 2 half-days = 20, less Wednesday's block on desk 2 (2) = 18
    # (the room, booked by the hour, is not counted). Occupied: Monday 2 + Tuesday 2 +
    # Friday 2 = 6 (Thursday's no-show was released). 6 / 18 = 1/3.
    assert (figures["open_half_days"], figures["occupied_half_days"]) == (18, 6)
    assert figures["occupancy_rate"] == pytest.approx(1 / 3)
    # Visits at Murat: 4; unique: A, B and the walk-in = 3.
    assert (figures["visits"], figures["unique_visitors"]) == (4, 3)
    # Salaried 2 of 4, freelancer 1, job seeker 1.
    assert figures["share_by_status"] == {
        "freelancer": 0.25,
        "job_seeker": 0.25,
        "salaried_remote": 0.5,
    }
    # Bookings due: 5; released: 1.
    assert figures["no_show_rate"] == pytest.approx(0.2)
    # 95.4 + 95.4 + 30.0 (B's commune unknown); 20.797 + 20.797 + 6.540.
    assert figures["km_avoided"] == pytest.approx(220.8)
    assert figures["co2_kg_avoided"] == pytest.approx(48.134)


def test_a_network_admin_reads_their_network_and_one_site(client, world):
    admin = staff("admin@example.org", network=world["cantal"], role=Role.NETWORK_ADMIN)
    figures = get(client, admin).json()
    # Allanche adds 1 desk × 10 open half-days, none occupied: 6 / 28.
    assert (figures["open_half_days"], figures["occupied_half_days"]) == (28, 6)
    assert figures["occupancy_rate"] == pytest.approx(6 / 28)
    # Allanche adds B's visit: 5 visits, still 3 people.
    assert (figures["visits"], figures["unique_visitors"]) == (5, 3)
    assert figures["share_by_status"] == pytest.approx(
        {"freelancer": 0.4, "job_seeker": 0.2, "salaried_remote": 0.4}
    )
    assert sum(figures["share_by_status"].values()) == pytest.approx(1)
    assert figures["no_show_rate"] == pytest.approx(1 / 5)
    assert figures["km_avoided"] == pytest.approx(230.8)
    assert figures["co2_kg_avoided"] == pytest.approx(50.314)
    one = get(client, admin, URL + "&site=allanche").json()
    assert (one["visits"], one["occupancy_rate"], one["no_show_rate"]) == (1, 0.0, 0.0)
    assert one["share_by_status"] == {"freelancer": 1.0}


def test_a_superuser_reads_every_network(client, world):
    root = User.objects.create_superuser("root@example.org", "a long password")
    figures = get(client, root).json()
    # Mende adds 10 open half-days and a student's visit.
    assert (figures["open_half_days"], figures["visits"], figures["unique_visitors"]) == (
        38,
        6,
        4,
    )
    assert figures["share_by_status"]["student"] == pytest.approx(1 / 6)


def test_the_period_counts_only_its_days(client, world):
    admin = staff("admin@example.org", network=world["cantal"], role=Role.NETWORK_ADMIN)
    # Monday alone: Murat 2 desks × 2 + Allanche 1 × 2 = 6 open, 2 occupied; A's visit.
    figures = get(client, admin, "/api/v1/observatory/summary?from=2027-03-01&to=2027-03-01")
    figures = figures.json()
    assert (figures["open_half_days"], figures["occupied_half_days"], figures["visits"]) == (
        6,
        2,
        1,
    )
    assert figures["no_show_rate"] == 0.0


def test_members_get_403_strangers_401_and_other_sites_404(client, world):
    assert get(client, None).status_code == 401
    response = get(client, world["a"])
    assert response.status_code == 403
    host = staff(
        "host.murat@example.org", network=world["cantal"], site=world["murat"], role=Role.SITE_HOST
    )
    for slug in ("allanche", "mende", "nowhere"):
        assert get(client, host, URL + f"&site={slug}").status_code == 404
    admin = staff("admin@example.org", network=world["cantal"], role=Role.NETWORK_ADMIN)
    assert get(client, admin, URL + "&site=mende").status_code == 404


def test_bad_periods_are_refused_field_by_field(client, world):
    admin = staff("admin@example.org", network=world["cantal"], role=Role.NETWORK_ADMIN)
    base = "/api/v1/observatory/summary"
    response = get(client, admin, base)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"from", "to"}
    response = get(client, admin, base + "?from=2027-03-05&to=2027-03-01")
    assert response.status_code == 422 and set(response.json()["errors"]) == {"to"}
    response = get(client, admin, base + "?from=1st%20March&to=2027-03-01")
    assert set(response.json()["errors"]) == {"from"}
    response = get(client, admin, base + "?from=2020-01-01&to=2027-03-01")
    assert set(response.json()["errors"]) == {"to"}


def test_sites_of_one_scope_never_leak_into_another(client, world):
    host = staff(
        "host.allanche@example.org",
        network=world["cantal"],
        site=world["allanche"],
        role=Role.SITE_HOST,
    )
    figures = get(client, host).json()
    assert figures["visits"] == 1 and figures["km_avoided"] == pytest.approx(10.0)
    assert figures["open_half_days"] == 10 and figures["no_show_rate"] == 0.0
