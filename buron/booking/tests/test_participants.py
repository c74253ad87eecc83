"""Participants join the booking's own transaction on every path that makes or cancels one,
and a participant's refusal rolls the booking back with its message.

These tests run with real transactions (transaction=True): a participant writes a marker
row, and a second participant refusing must take that row away with the booking."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pytest
import time_machine
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import StaffRoleFactory
from buron.booking import participants, services
from buron.booking.errors import BookingRefused
from buron.booking.models import Booking, BookingPolicy, BookingSlot
from buron.booking.participants import BookingChange, Reason
from buron.places.models import Resource

from .conftest import DAY, NOW, at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen")]


@dataclass
class Seen:
    """What a participant saw of one call."""

    booking: int
    by: str | None
    choices: dict[str, str]
    reason: str
    late: bool
    in_transaction: bool
    booking_visible: bool
    slots_active: int


@dataclass
class Recorder:
    """Writes a marker row in the booking's transaction and notes what it saw."""

    created: list[Seen] = field(default_factory=list)
    cancelled: list[Seen] = field(default_factory=list)

    def _see(self, change: BookingChange) -> Seen:
        LogEntry.objects.create(
            user_id=change.booking.member_id,
            object_repr=f"booking {change.booking.pk}",
            action_flag=ADDITION,
        )
        change.outcome["seen_by"] = "recorder"
        return Seen(
            booking=change.booking.pk,
            by=change.by.email if change.by else None,
            choices=dict(change.choices),
            reason=change.reason,
            late=change.late,
            in_transaction=transaction.get_connection().in_atomic_block,
            booking_visible=Booking.objects.filter(
                pk=change.booking.pk, status=change.booking.status
            ).exists(),
            slots_active=BookingSlot.objects.filter(
                booking_id=change.booking.pk, is_active=True
            ).count(),
        )

    def booking_created(self, change: BookingChange) -> None:
        self.created.append(self._see(change))

    def booking_cancelled(self, change: BookingChange) -> None:
        self.cancelled.append(self._see(change))


class Refuser:
    """Refuses every booking, or every cancellation."""

    def __init__(self, *, on_create: bool = True, on_cancel: bool = False) -> None:
        self.on_create, self.on_cancel = on_create, on_cancel

    def booking_created(self, change: BookingChange) -> None:
        if self.on_create:
            raise BookingRefused("No credit left for this booking.", code="no_credit")

    def booking_cancelled(self, change: BookingChange) -> None:
        if self.on_cancel:
            raise BookingRefused("This booking cannot be given back.", code="no_refund")


@pytest.fixture
def recorder():
    found = Recorder()
    participants.participant_register(name="test-recorder", participant=found)
    yield found
    participants.participant_unregister(name="test-recorder")


@pytest.fixture
def refuser():
    def register(**kwargs: bool) -> None:
        participants.participant_register(name="test-refuser", participant=Refuser(**kwargs))

    yield register
    participants.participant_unregister(name="test-refuser")


@pytest.fixture
def token(member) -> str:
    return api_token_create(user=member)


def api_post(token: str, body: object):
    return Client().post(
        "/api/v1/bookings",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def room(site) -> Resource:
    return Resource.objects.get(site=site, kind="meeting_room")


def desk(site) -> Resource:
    return Resource.objects.filter(site=site, kind="desk").order_by("name").first()


def seen_in_transaction(seen: Seen, *, slots: int) -> None:
    assert seen.in_transaction
    assert seen.booking_visible
    assert seen.slots_active == slots


# --- every path that makes a booking calls the participants inside its transaction -------


def test_api_half_day_booking_calls_participants_in_its_transaction(recorder, site, member, token):
    response = api_post(token, {"site": "murat", "date": str(DAY), "period": "day"})
    assert response.status_code == 201, response.content
    [seen] = recorder.created
    assert seen.booking == response.json()["id"] and seen.by == member.email
    seen_in_transaction(seen, slots=2)
    assert LogEntry.objects.count() == 1


def test_api_room_by_the_hour_calls_participants(recorder, site, member, token):
    body = {
        "resource": room(site).pk,
        "start": at(DAY, 9).isoformat(),
        "end": at(DAY, 11).isoformat(),
    }
    response = api_post(token, body)
    assert response.status_code == 201, response.content
    [seen] = recorder.created
    seen_in_transaction(seen, slots=2)


def test_api_desk_given_by_its_half_day_times_calls_participants_once(
    recorder, site, member, token
):
    from buron.booking.site_rules import day_rules
    from buron.booking.slots import half_day_span

    span = half_day_span(day_rules(site, DAY).schedule, "am", site.network.time_zone)
    body = {"resource": desk(site).pk, "start": span.start.isoformat(), "end": span.end.isoformat()}
    response = api_post(token, body)
    assert response.status_code == 201, response.content
    assert Booking.objects.get().period == "am"
    [seen] = recorder.created
    seen_in_transaction(seen, slots=1)


def test_member_page_booking_calls_participants(recorder, client, site, member):
    client.force_login(member)
    response = client.post(
        reverse("booking:book"),
        {"site": "murat", "date": DAY.isoformat(), "period": "am", "kind": "desk"},
    )
    assert response.status_code == 302
    [seen] = recorder.created
    seen_in_transaction(seen, slots=1)


def test_host_page_booking_calls_participants_with_the_host_as_author(
    recorder, client, site, member, host
):
    client.force_login(host)
    response = client.post(
        reverse("booking:manage_book", kwargs={"slug": "murat"}),
        {"email": member.email, "date": DAY.isoformat(), "period": "pm"},
    )
    assert response.status_code == 302
    [seen] = recorder.created
    assert seen.by == host.email
    seen_in_transaction(seen, slots=1)


def test_a_series_calls_participants_once_per_occurrence(recorder, site, member):
    result = services.series_create(
        member=member,
        site=site,
        weekdays=[1, 3],
        period="am",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=6),
        choices={"payer": "member"},
        now=NOW,
    )
    assert len(result.booked) == 2
    assert [s.booking for s in recorder.created] == [o.booking.pk for o in result.booked]
    assert all(s.choices == {"payer": "member"} for s in recorder.created)
    for seen in recorder.created:
        seen_in_transaction(seen, slots=1)


def test_choices_reach_participants_and_their_outcome_stays_on_the_booking(recorder, site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", choices={"payer": "member"}, now=NOW
    )
    assert recorder.created[0].choices == {"payer": "member"}
    assert booking.outcome["seen_by"] == "recorder"


# --- cancelling and moving ------------------------------------------------------------


def test_cancelling_in_time_by_the_member_is_not_late(recorder, site, member, token):
    booking = services.booking_create_half_day(member=member, site=site, day=DAY, period="am")
    response = Client().delete(
        f"/api/v1/bookings/{booking.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    [seen] = recorder.cancelled
    assert (seen.reason, seen.late, seen.by) == (Reason.MEMBER, False, member.email)
    assert seen.in_transaction and seen.booking_visible and seen.slots_active == 0


def test_cancelling_on_the_member_page_calls_participants(recorder, client, site, member):
    booking = services.booking_create_half_day(member=member, site=site, day=DAY, period="am")
    client.force_login(member)
    client.post(reverse("booking:cancel", kwargs={"pk": booking.pk}))
    assert [s.booking for s in recorder.cancelled] == [booking.pk]


def test_a_member_cancelling_after_the_deadline_as_staff_is_late(recorder, site, member):
    """Only staff may cancel after the deadline; a member who is also staff of the site and
    cancels their own booking late is told as late (a right it used is consumed)."""
    StaffRoleFactory(site=site, user=member)
    booking = services.booking_create_half_day(member=member, site=site, day=DAY, period="am")
    services.booking_cancel(booking=booking, by=member, now=at(DAY, 8))
    [seen] = recorder.cancelled
    assert (seen.reason, seen.late) == (Reason.MEMBER, True)


def test_the_deadline_boundary_decides_late(recorder, site, member):
    """Exactly at the deadline is still in time; a second after, late."""
    policy_hours = BookingPolicy._meta.get_field("cancellation_deadline_hours").get_default()
    StaffRoleFactory(site=site, user=member)
    for offset, expected in ((0, False), (1, True)):
        day = DAY + dt.timedelta(days=offset)
        booking = services.booking_create_half_day(member=member, site=site, day=day, period="am")
        deadline = booking.start - dt.timedelta(hours=policy_hours)
        services.booking_cancel(
            booking=booking, by=member, now=deadline + dt.timedelta(seconds=offset)
        )
        assert recorder.cancelled[-1].late is expected


def test_a_host_cancelling_is_staff_and_never_late(recorder, client, site, member, host):
    booking = services.booking_create_half_day(member=member, site=site, day=DAY, period="am")
    with time_machine.travel(at(DAY, 8, 30), tick=False):
        client.force_login(host)
        client.post(reverse("booking:manage_cancel", kwargs={"slug": "murat", "pk": booking.pk}))
    [seen] = recorder.cancelled
    assert (seen.reason, seen.late, seen.by) == (Reason.STAFF, False, host.email)


def test_a_move_tells_participants_of_both_bookings(recorder, site, member, host):
    first, second = Resource.objects.filter(site=site, kind="desk").order_by("name")
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", resource=first
    )
    moved = services.booking_move(booking=booking, to=second, by=host)
    assert [(s.booking, s.reason) for s in recorder.cancelled] == [(booking.pk, Reason.MOVED)]
    assert [s.booking for s in recorder.created] == [booking.pk, moved.pk]
    assert recorder.created[-1].reason == Reason.MOVED
    seen_in_transaction(recorder.created[-1], slots=1)


# --- a refusal rolls the booking back, with its message --------------------------------


def test_a_refusal_rolls_back_the_booking_and_what_others_wrote(recorder, refuser, site, token):
    refuser()
    response = api_post(token, {"site": "murat", "date": str(DAY), "period": "day"})
    assert response.status_code == 422
    assert response.json()["detail"] == "No credit left for this booking."
    assert not Booking.objects.exists() and not BookingSlot.objects.exists()
    # The recorder ran first and wrote its row in the same transaction: gone too.
    assert len(recorder.created) == 1 and not LogEntry.objects.exists()


def test_a_refusal_of_a_room_booking_rolls_it_back(refuser, site, token):
    refuser()
    start, end = at(DAY, 9).isoformat(), at(DAY, 10).isoformat()
    body = {"resource": room(site).pk, "start": start, "end": end}
    response = api_post(token, body)
    assert response.status_code == 422
    assert not BookingSlot.objects.exists()


def test_a_refusal_is_shown_on_the_member_page_in_their_language(refuser, client, site, member):
    refuser()
    client.force_login(member)
    with translation.override("en"):
        response = client.post(
            reverse("booking:book"),
            {"site": "murat", "date": DAY.isoformat(), "period": "am", "kind": "desk"},
        )
    assert response.status_code == 200
    assert "No credit left for this booking." in response.content.decode()
    assert not Booking.objects.exists()


def test_a_refused_occurrence_of_a_series_is_listed_with_the_reason(refuser, site, member):
    refuser()
    result = services.series_create(
        member=member,
        site=site,
        weekdays=[1],
        period="am",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=7),
        now=NOW,
    )
    assert not result.booked
    assert {o.reason for o in result.missed} == {"No credit left for this booking."}
    assert not Booking.objects.exists()


def test_a_refused_cancellation_leaves_the_booking_active(refuser, site, member):
    booking = services.booking_create_half_day(member=member, site=site, day=DAY, period="am")
    refuser(on_create=False, on_cancel=True)
    with pytest.raises(BookingRefused):
        services.booking_cancel(booking=booking, by=member)
    booking.refresh_from_db()
    assert booking.status == "active"
    assert BookingSlot.objects.filter(booking=booking, is_active=True).count() == 1


def test_participants_outside_a_transaction_are_refused(recorder, site, member):
    booking = services.booking_create_half_day(member=member, site=site, day=DAY, period="am")
    with pytest.raises(RuntimeError):
        participants.booking_created(BookingChange(booking=booking, by=member))


def test_a_released_no_show_is_told_as_late(recorder, site, member):
    booking = services.booking_create_half_day(member=member, site=site, day=DAY, period="am")
    released = services.booking_release(booking=booking, nobody_came=lambda b: True)
    assert released is not None
    [seen] = recorder.cancelled
    assert (seen.reason, seen.late, seen.by) == (Reason.RELEASED, True, None)
    assert seen.in_transaction and seen.slots_active == 0


def test_a_refused_release_keeps_the_booking(refuser, site, member):
    booking = services.booking_create_half_day(member=member, site=site, day=DAY, period="am")
    refuser(on_create=False, on_cancel=True)
    with pytest.raises(BookingRefused):
        services.booking_release(booking=booking, nobody_came=lambda b: True)
    booking.refresh_from_db()
    assert booking.status == "active"
