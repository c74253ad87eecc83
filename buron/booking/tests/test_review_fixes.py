"""Fixes after review: the week view's rooms, blocks in the host plans, recurring bookings
with cancelled or moved days, one rule for "can it still be cancelled", privacy of the
host's booking form, shared helpers, and dates out of any sane range."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import forms, selectors, services
from buron.booking.models import Booking, BookingPolicy, BookingSeries, BookingSlot
from buron.places import selectors as places_selectors
from buron.places.models import Resource, Site
from buron.places.tests.factories import ResourceFactory

from .conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def host(site):
    return StaffRoleFactory(site=site, user__email="host.murat@example.org").user


def desks(site):
    return list(Resource.objects.filter(site=site, kind="desk").order_by("name"))


def room(site):
    return Resource.objects.get(site=site, name="Salle")


def book_hours(site, first, last, day=DAY):
    """Book the room from `first` to `last` o'clock, one hour per member."""
    for hour in range(first, last):
        services.booking_create_hours(
            member=UserFactory(),
            resource=room(site),
            start=at(day, hour),
            end=at(day, hour + 1),
            now=NOW,
        )


def week_cell(site, period, day=DAY, kind="meeting_room"):
    table = selectors.availability_week(
        start=DAY, days=7, period=period, kind=kind, sites=Site.objects.filter(pk=site.pk)
    )
    ((_site, cells),) = table
    return next(c for c in cells if c.day == day)


# --- 1. The week view counts a room taken only when all its hours are --------------------


def test_an_afternoon_hour_booked_leaves_the_room_free_in_the_morning(site):
    book_hours(site, 14, 15)
    assert week_cell(site, "am").free == 1
    assert week_cell(site, "pm").free == 1
    assert week_cell(site, "day").free == 1


def test_a_room_is_full_for_a_period_once_every_open_hour_of_it_is_booked(site):
    book_hours(site, 9, 12)  # 09:00, 10:00 and 11:00: every whole hour of 8:30–12:30
    assert week_cell(site, "am").free == 0
    assert week_cell(site, "pm").free == 1
    assert week_cell(site, "day").free == 1
    book_hours(site, 14, 18)
    assert week_cell(site, "pm").free == 0
    assert week_cell(site, "day").free == 0


def test_the_search_week_table_says_a_partly_booked_room_is_free(client, member, site):
    book_hours(site, 14, 16)
    client.force_login(member)
    response = client.get(
        reverse("booking:search"), {"date": DAY.isoformat(), "period": "am", "kind": "meeting_room"}
    )
    murat = dict(response.context["week"])[site]
    assert next(c for c in murat if c.day == DAY).free == 1
    assert "while at least one of its hours in that period is free" in response.content.decode()


def test_the_week_views_queries_do_not_grow_with_booked_hours(site):
    sites = Site.objects.filter(pk=site.pk)
    with CaptureQueriesContext(connection) as few:
        selectors.availability_week(
            start=DAY, days=7, period="day", kind="meeting_room", sites=sites
        )
    ResourceFactory(site=site, kind="meeting_room", name="Salle 2", booking_unit="hour")
    book_hours(site, 9, 12)
    book_hours(site, 14, 17, day=DAY + dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        selectors.availability_week(
            start=DAY, days=7, period="day", kind="meeting_room", sites=sites
        )
    assert len(many) == len(few)


# --- 2. Blocks show in the host plans even when bookings hold every slot -----------------


@pytest.fixture
def blocked_behind_bookings(site, host, member):
    """Poste 1 booked for the whole of DAY, then blocked for DAY and the day after."""
    first = desks(site)[0]
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="day", resource=first, now=NOW
    )
    block = services.resource_block(
        resource=first,
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=1),
        by=host,
        note="Screen replaced",
    ).block
    # The block holds nothing on DAY: the booking holds both half-days.
    assert not BookingSlot.objects.filter(booking=block, day=DAY, is_active=True).exists()
    return first, booking, block


def test_the_day_plan_shows_a_block_behind_the_bookings_to_move(
    client, host, site, blocked_behind_bookings
):
    first, booking, block = blocked_behind_bookings
    client.force_login(host)
    response = client.get(
        reverse("booking:manage_site", kwargs={"slug": "murat"}), {"date": "2027-03-02"}
    )
    plan = response.context["plan"]
    row = next(r for r in plan.half_day_rows if r.resource == first)
    assert [c.block for c in row.cells] == [block, block]
    assert [c.holder for c in row.cells] == [booking, booking]
    other = next(r for r in plan.half_day_rows if r.resource != first)
    assert [c.block for c in other.cells] == [None, None]
    assert [b for b, _last in response.context["blocks"]] == [block]
    html = response.content.decode()
    assert html.count("To move:") == 2
    assert "Screen replaced" in html


def test_the_week_plan_shows_a_block_behind_the_bookings_to_move(
    client, host, site, member, blocked_behind_bookings
):
    first, booking, block = blocked_behind_bookings
    client.force_login(host)
    response = client.get(
        reverse("booking:manage_week", kwargs={"slug": "murat"}), {"date": "2027-03-02"}
    )
    row = next(r for r in response.context["plan"].rows if r.resource == first)
    assert row.days[0].holders == [block, booking]
    assert row.days[0].block == block
    assert row.days[1].holders == [block]
    assert row.days[2].holders == [] and row.days[2].block is None
    assert "To move:" in response.content.decode()


@pytest.mark.parametrize("page", ["manage_site", "manage_week"])
def test_the_plans_queries_do_not_grow_with_blocks(client, host, site, member, page):
    client.force_login(host)
    address = reverse(f"booking:{page}", kwargs={"slug": "murat"})
    client.get(address, {"date": "2027-03-02"})  # warm-up: sessions, caches
    with CaptureQueriesContext(connection) as few:
        client.get(address, {"date": "2027-03-02"})
    for n in range(3):
        desk = ResourceFactory(site=site, name=f"Poste extra {n}")
        services.booking_create_half_day(
            member=UserFactory(), site=site, day=DAY, period="day", resource=desk, now=NOW
        )
        services.resource_block(resource=desk, start_date=DAY, end_date=DAY, by=host)
    with CaptureQueriesContext(connection) as many:
        response = client.get(address, {"date": "2027-03-02"})
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- 3. A recurring booking counts its active bookings only ------------------------------


def test_a_recurring_booking_lists_cancelled_and_moved_days_apart(client, host, site, member):
    first, second = desks(site)
    series = services.series_create(
        member=member,
        site=site,
        weekdays=[1],
        period="am",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=14),
        now=NOW,
    ).series  # Tuesdays 2, 9 and 16 March
    on = {b.start.date(): b for b in series.bookings.all()}
    tuesday2, tuesday9, tuesday16 = dt.date(2027, 3, 2), dt.date(2027, 3, 9), dt.date(2027, 3, 16)
    assert on[tuesday9].resource == first
    services.booking_cancel(booking=on[tuesday2], by=member, now=NOW)
    moved = services.booking_move(booking=on[tuesday9], to=second, by=host)

    client.force_login(member)
    page = client.get(reverse("booking:series_detail", kwargs={"pk": series.pk}))
    rows = {r["day"]: r for r in page.context["rows"]}
    assert rows[tuesday2]["bookings"] == [] and rows[tuesday2]["cancelled"] == [on[tuesday2]]
    assert rows[tuesday9]["bookings"] == [moved]
    assert rows[tuesday9]["cancelled"] == [on[tuesday9]]
    assert rows[tuesday16]["bookings"] == [on[tuesday16]]
    assert page.context["booked"] == 2
    assert page.context["cancelled_days"] == 1
    assert page.context["missed"] == 0
    assert page.context["cancelled"] == [on[tuesday2], on[tuesday9]]
    html = page.content.decode()
    assert "2 days booked" in html and "1 day cancelled" in html
    assert "not booked" not in html


def test_series_occurrences_keep_active_and_cancelled_bookings_apart(site, member):
    series = services.series_create(
        member=member, site=site, weekdays=[1], period="am", start_date=DAY, end_date=DAY, now=NOW
    ).series
    booking = series.bookings.get()
    services.booking_cancel(booking=booking, by=member, now=NOW)
    series = BookingSeries.objects.select_related("site__network").get(pk=series.pk)
    (occurrence,) = selectors.series_occurrences(series=series)
    assert (occurrence.day, occurrence.bookings, occurrence.cancelled) == (DAY, [], [booking])


# --- 4. One rule says whether a booking can still be cancelled ----------------------------


def test_booking_cancellable_follows_the_sites_deadline(site, member, member2, host):
    BookingPolicy.objects.create(network=site.network, site=site, cancellation_deadline_hours=24)
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    deadline = at(DAY, 8, 30) - dt.timedelta(hours=24)
    assert selectors.booking_cancellable(booking=booking, by=member, now=NOW) == (True, deadline)
    assert selectors.booking_cancellable(booking=booking, by=member, now=deadline) == (
        True,
        deadline,
    )
    late = deadline + dt.timedelta(minutes=1)
    assert selectors.booking_cancellable(booking=booking, by=member, now=late) == (False, deadline)
    # Another member never; the site's staff past the deadline, but not once it is over.
    assert selectors.booking_cancellable(booking=booking, by=member2, now=NOW)[0] is False
    assert selectors.booking_cancellable(booking=booking, by=host, now=late)[0] is True
    assert selectors.booking_cancellable(booking=booking, by=host, now=at(DAY, 13))[0] is False
    services.booking_cancel(booking=booking, by=member, now=NOW)
    booking.refresh_from_db()
    assert selectors.booking_cancellable(booking=booking, by=host, now=NOW)[0] is False


def test_cancellation_deadlines_give_the_same_answer_for_each_booking(site, other_site, member):
    BookingPolicy.objects.create(network=site.network, site=site, cancellation_deadline_hours=48)
    tomorrow = DAY + dt.timedelta(days=1)
    bookings = [
        services.booking_create_half_day(member=member, site=s, day=d, period="am", now=NOW)
        for s, d in ((site, DAY), (other_site, tomorrow))
    ]
    when = at(DAY, 7)
    answers = selectors.cancellation_deadlines(bookings=bookings, by=member, now=when)
    assert answers == {
        b.pk: selectors.booking_cancellable(booking=b, by=member, now=when) for b in bookings
    }
    assert answers[bookings[0].pk] == (False, at(DAY, 8, 30) - dt.timedelta(hours=48))
    assert answers[bookings[1].pk] == (True, at(tomorrow, 6, 30))


def test_a_host_booking_for_themselves_may_cancel_past_the_deadline_like_the_service(
    client, host, site
):
    booking = services.booking_create_half_day(
        member=host, site=site, day=DAY, period="am", now=NOW
    )
    with time_machine.travel(at(DAY, 8), tick=False):
        client.force_login(host)
        detail = client.get(reverse("booking:detail", kwargs={"pk": booking.pk}))
        assert detail.context["can_cancel"] is True
        page = client.get(reverse("booking:cancel", kwargs={"pk": booking.pk}))
        assert page.context["can_cancel"] is True
        mine = client.get(reverse("booking:mine"))
        assert [can for _b, _deadline, can, _paid in mine.context["upcoming"]] == [True]
        client.post(reverse("booking:cancel", kwargs={"pk": booking.pk}))
    booking.refresh_from_db()
    assert booking.status == "cancelled"


# --- 5. The host's booking form does not reveal members' names ----------------------------


def test_booking_for_a_member_confirms_with_their_email_not_their_name(client, host, site):
    UserFactory(email="secret@example.org", first_name="Secret", last_name="Person")
    client.force_login(host)
    response = client.post(
        reverse("booking:manage_book", kwargs={"slug": "murat"}),
        {"email": "SECRET@example.org", "date": "2027-03-02", "period": "am"},
        follow=True,
    )
    html = response.content.decode()
    assert "Booked Poste 1 for secret@example.org on 2 March 2027, 08:30." in html
    assert "Secret Person" not in "".join(str(m) for m in response.context["messages"])


def test_an_unknown_address_gets_a_neutral_answer(client, host, site):
    UserFactory(email="closed@example.org", is_active=False)
    client.force_login(host)
    for email in ("nobody@example.org", "closed@example.org"):
        response = client.post(
            reverse("booking:manage_book", kwargs={"slug": "murat"}),
            {"email": email, "date": "2027-03-02", "period": "am"},
        )
        assert response.context["form"].errors["email"] == [
            "No active member account uses this address."
        ]
    assert Booking.objects.count() == 0


# --- 6. One helper each, not copies ----------------------------------------------------------


def test_the_forms_offer_the_sites_places_publishes():
    assert forms.published_sites is places_selectors.published_sites


# --- 7. Dates out of any sane range are refused, not a crash --------------------------------


@pytest.mark.parametrize("day", ["9999-12-30", "9999-12-31", "0001-01-01", "1999-12-31"])
def test_search_refuses_a_day_out_of_range(client, member, site, day):
    client.force_login(member)
    response = client.get(reverse("booking:search"), {"date": day, "period": "am", "kind": "desk"})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["date"]] == [
        "date_out_of_range"
    ]
    assert "Choose a date between 1 January 2000 and 31 December 2100." in (
        response.content.decode()
    )


def test_search_until_the_last_day_of_the_range_still_works(client, member, site):
    client.force_login(member)
    response = client.get(
        reverse("booking:search"), {"date": "2100-12-31", "period": "am", "kind": "desk"}
    )
    assert response.status_code == 200
    assert response.context["results"] is not None


@pytest.mark.parametrize("page", ["manage_site", "manage_week"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_host_plans_fall_back_to_today_for_a_day_out_of_range(client, host, site, page, day):
    client.force_login(host)
    response = client.get(reverse(f"booking:{page}", kwargs={"slug": "murat"}), {"date": day})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["date"][0].code == "date_out_of_range"
    assert response.context["previous"] < NOW.date() < response.context["next"]


@pytest.mark.parametrize(("page", "step"), [("manage_site", 1), ("manage_week", 7)])
def test_the_host_plans_offer_no_link_past_the_range(client, host, site, page, step):
    client.force_login(host)
    address = reverse(f"booking:{page}", kwargs={"slug": "murat"})
    last = client.get(address, {"date": "2100-12-31"})
    assert last.status_code == 200
    assert last.context["next"] is None
    assert last.context["previous"] == dt.date(2100, 12, 31) - dt.timedelta(days=step)
    assert "date=2101-" not in last.content.decode()
    first = client.get(address, {"date": "2000-01-01"})
    assert first.status_code == 200
    assert first.context["previous"] is None
    assert "date=1999-" not in first.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("booking:book", {"site": "murat", "date": "9999-12-31", "period": "am"}, "date"),
        (
            "booking:series",
            {
                "site": "murat",
                "kind": "desk",
                "weekdays": ["1"],
                "period": "am",
                "start_date": "2027-03-02",
                "end_date": "9999-12-31",
            },
            "end_date",
        ),
    ],
)
def test_member_forms_refuse_a_day_out_of_range(client, member, site, name, data, field):
    client.force_login(member)
    response = client.post(reverse(name), data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == [
        "date_out_of_range"
    ]
    assert Booking.objects.count() == 0 and BookingSeries.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        (
            "booking:manage_book",
            {"email": "camille@example.org", "date": "9999-12-31", "period": "am"},
            "date",
        ),
        (
            "booking:manage_block",
            {"start_date": "2027-03-02", "end_date": "9999-12-31"},
            "end_date",
        ),
    ],
)
def test_host_forms_refuse_a_day_out_of_range(client, host, member, site, name, data, field):
    client.force_login(host)
    if name == "booking:manage_block":
        data = {**data, "resource": desks(site)[0].pk}
    address = reverse(name, kwargs={"slug": "murat"})
    assert client.get(address, {"date": "9999-12-31"}).status_code == 200
    response = client.post(address, data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == [
        "date_out_of_range"
    ]
    assert Booking.objects.count() == 0
