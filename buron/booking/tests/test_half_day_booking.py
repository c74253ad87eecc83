from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from buron.booking import services
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.models import Booking, BookingSlot
from buron.places.models import Resource
from buron.places.tests.factories import ClosureFactory

from .conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db


def test_it_assigns_a_free_desk_for_a_morning(site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    assert booking.resource.kind == "desk"
    assert booking.start == at(DAY, 8, 30)
    assert booking.end == at(DAY, 12, 30)
    assert booking.visitor_status == "freelancer"
    assert list(BookingSlot.objects.filter(booking=booking).values_list("slot", flat=True)) == [0]


def test_a_full_day_holds_both_half_days(site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="day", now=NOW
    )
    assert sorted(booking.slots.values_list("slot", flat=True)) == [0, 1]
    assert booking.end == at(DAY, 18)


def test_the_last_desk_taken_gives_just_taken_with_alternatives(site, other_site, member, member2):
    third = type(member).objects.create_user("third@example.org", "x")
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    services.booking_create_half_day(member=member2, site=site, day=DAY, period="am", now=NOW)
    with pytest.raises(SlotTaken) as caught:
        services.booking_create_half_day(member=third, site=site, day=DAY, period="am", now=NOW)
    alternatives = caught.value.alternatives
    assert alternatives[0].site_slug == "allanche"
    assert any(a.site_slug == "murat" and a.day == "2027-03-03" for a in alternatives)


def test_it_refuses_a_public_holiday(site, member):
    with translation.override("en"), pytest.raises(BookingRefused) as caught:
        services.booking_create_half_day(
            member=member, site=site, day=dt.date(2027, 5, 6), period="am", now=NOW
        )  # Ascension Day 2027
    assert caught.value.error_dict["date"][0].code == "closed"
    assert "Ascension" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("day", "now", "code"),
    [
        pytest.param(DAY, NOW, "closed", id="closure"),
        pytest.param(dt.date(2027, 3, 6), NOW, "closed", id="saturday-without-hours"),
        pytest.param(NOW.date() + dt.timedelta(days=120), NOW, "too_far_ahead", id="too-far"),
        pytest.param(DAY, at(DAY, 13), "past", id="morning-passed"),
    ],
)
def test_it_refuses_a_day_it_cannot_book(site, member, day, now, code):
    if code == "closed":
        ClosureFactory(site=site, start_date=DAY, end_date=DAY)
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_half_day(member=member, site=site, day=day, period="am", now=now)
    assert caught.value.error_dict["date"][0].code == code


def test_it_refuses_an_inactive_resource(site, member):
    desk = Resource.objects.filter(site=site, kind="desk").first()
    desk.is_active = False
    desk.save()
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_half_day(
            member=member, site=site, day=DAY, period="am", resource=desk, now=NOW
        )
    assert caught.value.error_dict["resource"][0].code == "inactive"


def test_it_refuses_a_second_desk_at_the_same_time(site, other_site, member):
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_half_day(
            member=member, site=other_site, day=DAY, period="am", now=NOW
        )
    assert caught.value.error_dict["date"][0].code == "member_overlap"


def test_it_refuses_more_than_the_daily_maximum(site, member):
    from buron.booking.models import BookingPolicy

    BookingPolicy.objects.create(network=site.network, max_per_member_per_day=1)
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_half_day(member=member, site=site, day=DAY, period="pm", now=NOW)
    assert caught.value.error_dict["date"][0].code == "member_daily_limit"


def test_a_room_is_booked_by_whole_hours(site, member):
    room = Resource.objects.get(site=site, kind="meeting_room")
    booking = services.booking_create_hours(
        member=member, resource=room, start=at(DAY, 9), end=at(DAY, 11), now=NOW
    )
    assert sorted(booking.slots.values_list("slot", flat=True)) == [9, 10]
    with pytest.raises(SlotTaken):
        services.booking_create_hours(
            member=type(member).objects.create_user("x@example.org", "x"),
            resource=room,
            start=at(DAY, 10),
            end=at(DAY, 12),
            now=NOW,
        )


def test_a_room_refuses_hours_outside_opening(site, member):
    room = Resource.objects.get(site=site, kind="meeting_room")
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_hours(
            member=member, resource=room, start=at(DAY, 12), end=at(DAY, 14), now=NOW
        )
    assert caught.value.error_dict["start"][0].code == "hours_closed"
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_hours(
            member=member, resource=room, start=at(DAY, 9, 30), end=at(DAY, 11), now=NOW
        )
    assert caught.value.error_dict["start"][0].code == "not_whole_hours"


def test_cancel_frees_the_slot_and_respects_the_deadline(site, member, member2):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    with pytest.raises(BookingRefused) as caught:
        services.booking_cancel(booking=booking, by=member, now=at(DAY, 7))
    assert caught.value.code == "deadline_passed"
    with pytest.raises(BookingRefused):
        services.booking_cancel(booking=booking, by=member2, now=NOW)
    services.booking_cancel(booking=booking, by=member, now=NOW)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert not BookingSlot.objects.filter(booking=booking, is_active=True).exists()
    again = services.booking_create_half_day(
        member=member2, site=site, day=DAY, period="am", resource=booking.resource, now=NOW
    )
    assert again.resource_id == booking.resource_id


def test_a_recurring_booking_lists_what_could_not_be_booked(site, member):
    ClosureFactory(site=site, start_date=dt.date(2027, 3, 9), end_date=dt.date(2027, 3, 9))
    result = services.series_create(
        member=member,
        site=site,
        weekdays=[1, 3],
        period="day",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=13),
        now=NOW,
    )
    assert [o.day for o in result.occurrences] == [
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 4),
        dt.date(2027, 3, 9),
        dt.date(2027, 3, 11),
    ]
    missed = {o.day for o in result.missed}
    assert missed == {dt.date(2027, 3, 9)}
    resources = {o.booking.resource_id for o in result.booked}
    assert len(resources) == 1, "the same desk is kept when it is free"


def test_a_status_change_is_remembered_by_later_bookings(site, member):
    from buron.accounts.services import member_status_change

    member_status_change(
        user=member, status="salaried_remote", employer_name="Acme", valid_from=DAY
    )
    before = services.booking_create_half_day(
        member=member, site=site, day=DAY - dt.timedelta(days=1), period="am", now=NOW
    )
    after = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    assert before.visitor_status == "freelancer"
    assert (after.visitor_status, after.employer_name) == ("salaried_remote", "Acme")


def test_a_block_holds_free_slots_and_lists_bookings_to_move(site, member):
    from buron.accounts.tests.factories import StaffRoleFactory

    host = StaffRoleFactory(site=site).user
    desk = Resource.objects.filter(site=site, kind="desk").order_by("name").first()
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", resource=desk, now=NOW
    )
    result = services.resource_block(
        resource=desk, start_date=DAY, end_date=DAY + dt.timedelta(days=1), by=host
    )
    assert result.to_move == [booking]
    assert BookingSlot.objects.filter(booking=result.block, is_active=True).count() == 3
    services.booking_cancel(booking=booking, by=host, now=NOW)
    assert BookingSlot.objects.filter(booking=result.block, is_active=True).count() == 4
    with pytest.raises(SlotTaken):
        services.booking_create_half_day(
            member=member, site=site, day=DAY, period="am", resource=desk, now=NOW
        )
    assert Booking.objects.filter(resource=desk, status="active", kind="booking").count() == 0


def test_a_desk_and_a_meeting_room_may_be_held_at_the_same_time(site, member):
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    room = Resource.objects.get(site=site, kind="meeting_room")
    booking = services.booking_create_hours(
        member=member, resource=room, start=at(DAY, 10), end=at(DAY, 11), now=NOW
    )
    assert booking.pk
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_hours(
            member=member, resource=room, start=at(DAY, 10), end=at(DAY, 12), now=NOW
        )
    assert caught.value.error_dict["date"][0].code == "member_overlap"


def test_the_daily_limit_counts_days_in_the_networks_time_zone(site, member):
    from buron.booking.models import BookingPolicy

    site.network.time_zone = "Indian/Reunion"
    site.network.save()
    BookingPolicy.objects.create(network=site.network, max_per_member_per_day=1)
    first = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="pm", now=NOW
    )
    # 13:30 in La Réunion is 10:30 in Paris: the same local day either way, and the
    # booking's slot records the network's day.
    assert first.slots.get().day == DAY
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    assert caught.value.error_dict["date"][0].code == "member_daily_limit"
    nxt = services.booking_create_half_day(
        member=member, site=site, day=DAY + dt.timedelta(days=1), period="am", now=NOW
    )
    assert nxt.slots.get().day == DAY + dt.timedelta(days=1)


def test_a_status_change_reaches_bookings_already_made_for_later_days(site, member):
    from buron.accounts.services import member_status_change

    before = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    later = services.booking_create_half_day(
        member=member, site=site, day=DAY + dt.timedelta(days=7), period="am", now=NOW
    )
    member_status_change(
        user=member,
        status="salaried_remote",
        employer_name="Acme",
        valid_from=DAY + dt.timedelta(days=1),
    )
    before.refresh_from_db()
    later.refresh_from_db()
    assert before.visitor_status == "freelancer"
    assert (later.visitor_status, later.employer_name) == ("salaried_remote", "Acme")
