"""Site host pages under /gestion/: plans, bookings for members, cancelling, blocks and
moves; and tenancy: a host sees and changes only their own sites."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory, totp_enrol
from buron.booking import services
from buron.booking.models import Booking, BookingSlot
from buron.places.models import Resource
from buron.places.tests.factories import (
    ClosureFactory,
    NetworkFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

from .conftest import DAY, NOW, at, desks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


@pytest.fixture
def other_host(other_site):
    return StaffRoleFactory(site=other_site, user__email="host.allanche@example.org").user


@pytest.fixture
def far_site(db):
    """A site of another network, with its own administrator."""
    network = NetworkFactory(slug="lozere", name="Lozère")
    far = SiteFactory(network=network, slug="mende", name="Télécentre de Mende")
    open_all_week(far)
    ResourceFactory(site=far, name="Poste M")
    return far


@pytest.fixture
def far_admin(far_site):
    user = StaffRoleFactory(
        role="network_admin",
        network=far_site.network,
        site=None,
        user__email="admin@lozere.example",
    ).user
    totp_enrol(user)
    return user


def as_user(client, user):
    client.force_login(user)
    return client


def url(name, **kwargs):
    return reverse(f"booking:{name}", kwargs=kwargs)


def snapshot():
    """Everything the host pages could change."""
    return (
        list(
            Booking.objects.order_by("pk").values_list(
                "pk", "status", "resource_id", "member_id", "kind", "cancelled_at"
            )
        ),
        list(BookingSlot.objects.order_by("pk").values_list("pk", "booking_id", "is_active")),
    )


# --- Who gets in --------------------------------------------------------------------------


def test_the_host_pages_need_a_login(client, site):
    response = client.get(url("manage"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_member_who_manages_nothing_is_refused(client, member, site):
    response = as_user(client, member).get(url("manage"))
    assert response.status_code == 403
    assert "For site hosts" in response.content.decode()
    assert as_user(client, member).get(url("manage_site", slug="murat")).status_code == 404


def test_a_host_sees_only_their_sites(client, host, site, other_site, far_site):
    response = as_user(client, host).get(url("manage"))
    assert response.status_code == 200
    assert [s.slug for s in response.context["sites"]] == ["murat"]
    html = response.content.decode()
    assert "Allanche" not in html and "Mende" not in html


def test_a_network_administrator_sees_every_site_of_their_network_only(
    client, site, other_site, far_site, far_admin
):
    admin = StaffRoleFactory(role="network_admin", network=site.network, site=None).user
    totp_enrol(admin)
    response = as_user(client, admin).get(url("manage"))
    assert [s.slug for s in response.context["sites"]] == ["allanche", "murat"]
    response = as_user(client, far_admin).get(url("manage"))
    assert [s.slug for s in response.context["sites"]] == ["mende"]


# --- Plans --------------------------------------------------------------------------------


def test_the_day_plan_shows_who_holds_each_half_day_and_hour(client, host, site, member):
    member.first_name, member.last_name = "Camille", "Durand"
    member.save()
    room = Resource.objects.get(site=site, kind="meeting_room")
    desk = services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    services.booking_create_hours(
        member=member, resource=room, start=at(DAY, 14), end=at(DAY, 15), now=NOW
    )
    services.resource_block(resource=desks(site)[1], start_date=DAY, end_date=DAY, by=host)
    response = as_user(client, host).get(url("manage_site", slug="murat"), {"date": "2027-03-02"})
    assert response.status_code == 200
    plan = response.context["plan"]
    rows = {row.resource.name: [c.holder for c in row.cells] for row in plan.half_day_rows}
    assert rows[desk.resource.name] == [desk, None]
    assert all(cell is not None and cell.kind == "block" for cell in rows[desks(site)[1].name])
    assert plan.hours == [9, 10, 11, 14, 15, 16, 17]
    (room_row,) = plan.hour_rows
    held_hours = [h for h, c in zip(plan.hours, room_row.cells, strict=True) if c.holder]
    assert held_hours == [14]
    html = response.content.decode()
    assert "Camille Durand" in html and "Blocked" in html
    assert "<caption>Desks and offices, by half-day</caption>" in html
    assert 'scope="row"' in html


def test_the_week_plan_lists_each_days_bookings(client, host, site, member, member2):
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    services.booking_create_half_day(
        member=member2, site=site, day=DAY + dt.timedelta(days=2), period="day", now=NOW
    )
    ClosureFactory(
        site=site, start_date=DAY + dt.timedelta(days=3), end_date=DAY + dt.timedelta(days=3)
    )
    response = as_user(client, host).get(url("manage_week", slug="murat"), {"date": "2027-03-02"})
    plan = response.context["plan"]
    assert next(s.day for s in plan.schedules) == DAY and len(plan.schedules) == 7
    held = {
        (row.resource.name, i): [b.member for b in cell.holders]
        for row in plan.rows
        for i, cell in enumerate(row.days)
        if cell.holders
    }
    assert sorted(held.values(), key=len) == [[member], [member2]]
    assert "Closed: Works" in response.content.decode()
    assert [row.days[3].is_open for row in plan.rows] == [False] * len(plan.rows)
    assert [row.days[1].is_open for row in plan.rows] == [True] * len(plan.rows)


def test_a_closed_day_is_shown_closed_not_free(client, host, site):
    response = as_user(client, host).get(url("manage_site", slug="murat"), {"date": "2027-03-06"})
    plan = response.context["plan"]
    assert [c.is_open for row in plan.half_day_rows for c in row.cells] == [False] * 4
    assert plan.hours == []
    html = response.content.decode()
    assert ">Free<" not in html and ">Closed<" in html


def fill(site, days):
    """Book every desk of the site, and the room's first hour, on `days` open days from DAY."""
    room = Resource.objects.get(site=site, kind="meeting_room")
    day = DAY
    for _n in range(days):
        for desk in desks(site):
            if not BookingSlot.objects.filter(resource=desk, day=day, is_active=True).exists():
                services.booking_create_half_day(
                    member=UserFactory(), site=site, day=day, period="am", resource=desk, now=NOW
                )
        hour = 9 + Booking.objects.filter(resource=room, start__date=day).count()
        services.booking_create_hours(
            member=UserFactory(), resource=room, start=at(day, hour), end=at(day, hour + 1), now=NOW
        )
        day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)


@pytest.mark.parametrize("page", ["manage_site", "manage_week"])
def test_the_plans_queries_do_not_grow_with_bookings(client, host, site, member, page):
    client = as_user(client, host)
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(page, slug="murat"), {"date": "2027-03-02"}).status_code == 200
    for n in range(4):
        ResourceFactory(site=site, name=f"Poste extra {n}")
    services.resource_block(resource=desks(site)[-1], start_date=DAY, end_date=DAY, by=host)
    fill(site, 5)
    fill(site, 2)
    assert Booking.objects.count() > 20
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(page, slug="murat"), {"date": "2027-03-02"})
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_a_bad_date_on_the_plan_is_said_and_today_is_shown(client, host, site):
    response = as_user(client, host).get(url("manage_site", slug="murat"), {"date": "2027-02-31"})
    assert response.status_code == 200
    assert response.context["day"] == NOW.date()
    assert 'id="id_date_error"' in response.content.decode()


# --- Booking and cancelling for members -------------------------------------------------


def test_a_host_books_a_desk_for_a_member(client, host, site, member):
    response = as_user(client, host).post(
        url("manage_book", slug="murat"),
        {"email": "CAMILLE@example.org", "date": "2027-03-02", "period": "day"},
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert (booking.member, booking.booked_by, booking.site, booking.period) == (
        member,
        host,
        site,
        "day",
    )
    page = client.get(response["Location"])
    assert "Booked" in page.content.decode()


def test_a_host_books_a_room_by_the_hour_for_a_member(client, host, site, member):
    room = Resource.objects.get(site=site, kind="meeting_room")
    as_user(client, host).post(
        url("manage_book", slug="murat"),
        {
            "email": member.email,
            "date": "2027-03-02",
            "resource": room.pk,
            "start_hour": "15",
            "hours": "2",
        },
    )
    booking = Booking.objects.get()
    assert (booking.resource, booking.start, booking.end) == (room, at(DAY, 15), at(DAY, 17))
    assert booking.booked_by == host


def test_booking_for_an_unknown_email_is_refused_on_the_field(client, host, site):
    response = as_user(client, host).post(
        url("manage_book", slug="murat"),
        {"email": "nobody@example.org", "date": "2027-03-02", "period": "am"},
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["email"]] == [
        "unknown_member"
    ]
    assert Booking.objects.count() == 0


def test_a_refused_booking_for_a_member_shows_the_rule(client, host, site, member):
    ClosureFactory(site=site, start_date=DAY, end_date=DAY)
    response = as_user(client, host).post(
        url("manage_book", slug="murat"),
        {"email": member.email, "date": "2027-03-02", "period": "am"},
    )
    assert [e.code for e in response.context["form"].errors.as_data()["date"]] == ["closed"]
    assert Booking.objects.count() == 0


def test_a_host_cancels_a_members_booking_even_after_the_deadline(client, host, site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    with time_machine.travel(at(DAY, 8), tick=False):
        client = as_user(client, host)
        page = client.get(url("manage_cancel", slug="murat", pk=booking.pk))
        assert "Yes, cancel this booking" in page.content.decode()
        response = client.post(url("manage_cancel", slug="murat", pk=booking.pk))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"


# --- Blocks and moves -------------------------------------------------------------------


def test_a_block_lists_the_bookings_to_move_and_a_move_frees_the_resource(
    client, host, site, member, member2
):
    first, second = desks(site)
    to_move = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", resource=first, now=NOW
    )
    to_cancel = services.booking_create_half_day(
        member=member2,
        site=site,
        day=DAY + dt.timedelta(days=1),
        period="am",
        resource=first,
        now=NOW,
    )
    client = as_user(client, host)
    response = client.post(
        url("manage_block", slug="murat"),
        {
            "resource": first.pk,
            "start_date": "2027-03-02",
            "end_date": "2027-03-03",
            "note": "Screen replaced",
        },
    )
    block = Booking.objects.get(kind="block")
    assert response["Location"] == url("manage_block_detail", slug="murat", pk=block.pk)
    page = client.get(response["Location"])
    rows = page.context["rows"]
    assert [b for b, _options in rows] == [to_move, to_cancel]
    assert [[r.pk for r in options] for _b, options in rows] == [[second.pk], [second.pk]]
    assert "Screen replaced" in page.content.decode()

    response = client.post(
        url("manage_move", slug="murat", pk=to_move.pk),
        {"to": second.pk, "next": response["Location"]},
    )
    assert response["Location"] == url("manage_block_detail", slug="murat", pk=block.pk)
    to_move.refresh_from_db()
    assert to_move.status == "cancelled"
    moved = Booking.objects.get(member=member, status="active")
    assert (moved.resource, moved.start, moved.booked_by) == (second, to_move.start, host)

    client.post(url("manage_cancel", slug="murat", pk=to_cancel.pk), {"next": response["Location"]})
    to_cancel.refresh_from_db()
    assert to_cancel.status == "cancelled"
    page = client.get(url("manage_block_detail", slug="murat", pk=block.pk))
    assert page.context["rows"] == []
    # The block now holds every half-day of the two days.
    assert BookingSlot.objects.filter(booking=block, is_active=True).count() == 4


def test_a_move_to_a_taken_resource_is_refused(client, host, site, member, member2):
    first, second = desks(site)
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", resource=first, now=NOW
    )
    services.booking_create_half_day(
        member=member2, site=site, day=DAY, period="am", resource=second, now=NOW
    )
    before = snapshot()
    response = as_user(client, host).post(
        url("manage_move", slug="murat", pk=booking.pk), {"to": second.pk}
    )
    assert response.status_code == 302
    assert snapshot() == before
    page = client.get(response["Location"])
    assert "Choose one of the free resources listed." in page.content.decode()


def test_a_block_ending_before_it_starts_is_refused_on_the_field(client, host, site):
    response = as_user(client, host).post(
        url("manage_block", slug="murat"),
        {"resource": desks(site)[0].pk, "start_date": "2027-03-03", "end_date": "2027-03-02"},
    )
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert Booking.objects.count() == 0


# --- Tenancy: another site, another network ---------------------------------------------


@pytest.fixture
def foreign(site, other_site, far_site, member, member2, far_admin):
    """Bookings and a block at Allanche (same network) and Mende (another network)."""
    host_allanche = StaffRoleFactory(site=other_site).user
    allanche = services.booking_create_half_day(
        member=member, site=other_site, day=DAY, period="am", now=NOW
    )
    allanche_block = services.resource_block(
        resource=Resource.objects.get(site=other_site),
        start_date=DAY + dt.timedelta(days=1),
        end_date=DAY + dt.timedelta(days=1),
        by=host_allanche,
    ).block
    mende = services.booking_create_half_day(
        member=member2, site=far_site, day=DAY, period="am", now=NOW
    )
    return {"allanche": allanche, "allanche_block": allanche_block, "mende": mende}


def foreign_requests(foreign, slug):
    """Every host page and action, aimed at another site's things through `slug`."""
    booking = foreign["allanche"] if slug != "mende" else foreign["mende"]
    block = foreign["allanche_block"]
    desk = Resource.objects.filter(site=booking.site).first()
    return [
        ("get", url("manage_site", slug=slug), {}),
        ("get", url("manage_week", slug=slug), {}),
        ("get", url("manage_book", slug=slug), {}),
        (
            "post",
            url("manage_book", slug=slug),
            {"email": "camille@example.org", "date": "2027-03-03", "period": "pm"},
        ),
        ("get", url("manage_block", slug=slug), {}),
        (
            "post",
            url("manage_block", slug=slug),
            {"resource": desk.pk, "start_date": "2027-03-04", "end_date": "2027-03-04"},
        ),
        ("get", url("manage_block_detail", slug=slug, pk=block.pk), {}),
        ("get", url("manage_cancel", slug=slug, pk=booking.pk), {}),
        ("post", url("manage_cancel", slug=slug, pk=booking.pk), {}),
        ("post", url("manage_cancel", slug=slug, pk=block.pk), {}),
        ("post", url("manage_move", slug=slug, pk=booking.pk), {"to": desk.pk}),
    ]


@pytest.mark.parametrize("slug", ["allanche", "mende"])
def test_a_host_gets_404_for_every_page_and_action_of_a_site_they_do_not_manage(
    client, host, foreign, slug
):
    client = as_user(client, host)
    before = snapshot()
    for method, address, data in foreign_requests(foreign, slug):
        response = getattr(client, method)(address, data)
        assert response.status_code == 404, (method, address)
    assert snapshot() == before


def test_a_host_cannot_reach_another_sites_bookings_through_their_own_site(client, host, foreign):
    client = as_user(client, host)
    before = snapshot()
    for key in ("allanche", "allanche_block", "mende"):
        pk = foreign[key].pk
        for method, address, data in [
            ("get", url("manage_cancel", slug="murat", pk=pk), {}),
            ("post", url("manage_cancel", slug="murat", pk=pk), {}),
            (
                "post",
                url("manage_move", slug="murat", pk=pk),
                {
                    "to": desks(Booking.objects.get(pk=pk).site)[0].pk
                    if key != "allanche_block"
                    else 0
                },
            ),
            ("get", url("manage_block_detail", slug="murat", pk=pk), {}),
        ]:
            assert getattr(client, method)(address, data).status_code == 404, (key, address)
    assert snapshot() == before


def test_another_networks_administrator_gets_404_for_this_network(client, far_admin, site, foreign):
    client = as_user(client, far_admin)
    before = snapshot()
    for method, address, data in [
        *foreign_requests(foreign, "allanche"),
        ("get", url("manage_site", slug="murat"), {}),
    ]:
        assert getattr(client, method)(address, data).status_code == 404, address
    assert snapshot() == before
    # …while their own site answers.
    assert client.get(url("manage_site", slug="mende")).status_code == 200


def test_a_host_cannot_book_a_resource_of_another_site_through_their_own(
    client, host, site, other_site, member
):
    foreign_desk = Resource.objects.get(site=other_site)
    response = as_user(client, host).post(
        url("manage_book", slug="murat"),
        {"email": member.email, "date": "2027-03-02", "period": "am", "resource": foreign_desk.pk},
    )
    assert response.status_code == 200
    assert "resource" in response.context["form"].errors
    assert Booking.objects.count() == 0


def test_every_host_page_renders_in_french(client, host, site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    block = services.resource_block(
        resource=desks(site)[0], start_date=DAY, end_date=DAY, by=host
    ).block
    client = as_user(client, host)
    with translation.override("fr"):
        pages = [
            url("manage"),
            url("manage_site", slug="murat"),
            url("manage_week", slug="murat"),
            url("manage_book", slug="murat"),
            url("manage_block", slug="murat"),
            url("manage_block_detail", slug="murat", pk=block.pk),
            url("manage_cancel", slug="murat", pk=booking.pk),
            url("manage_cancel", slug="murat", pk=block.pk),
        ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        assert '<html lang="fr">' in response.content.decode(), address
