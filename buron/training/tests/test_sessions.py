"""Sessions hold their room and desks through the booking engine; the deadline check
confirms or cancels them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from buron.accounts.tests.factories import UserFactory
from buron.booking import services as booking
from buron.booking.errors import SlotTaken
from buron.booking.models import Booking, BookingKind, BookingSlot
from buron.places.models import Resource
from buron.training import services
from buron.training.errors import TrainingRefused
from buron.training.models import Enrolment, Session, SessionHalfDay, SessionStatus

from .conftest import DAY, DEADLINE, NOW, at, schedule


def test_it_holds_the_room_for_the_session_days(session, room):
    blocks = Booking.objects.filter(resource=room, kind=BookingKind.BLOCK, status="active")
    assert blocks.count() == 1
    assert set(session.holds.all()) == set(blocks)
    assert BookingSlot.objects.filter(resource=room, day=DAY, is_active=True).count() == 24
    assert [h.starts_at for h in session.half_days.all()] == [at(DAY, 9), at(DAY, 13, 30)]


def test_a_member_cannot_book_the_room_during_a_session(session, room):
    member = UserFactory()
    with pytest.raises(SlotTaken):
        booking.booking_create_hours(
            member=member, resource=room, start=at(DAY, 10), end=at(DAY, 11), now=NOW
        )


def test_desks_are_held_too(programme, site, room, admin, trainer):
    desk = Resource.objects.filter(site=site, kind="desk").first()
    schedule(programme, site, room, admin, trainer, desks=[desk])
    member = UserFactory()
    with pytest.raises(SlotTaken):
        booking.booking_create_half_day(
            member=member, site=site, day=DAY, period="am", resource=desk, now=NOW
        )


def test_a_room_already_booked_refuses_the_session_and_writes_nothing(
    programme, site, room, admin, trainer
):
    member = UserFactory()
    booking.booking_create_hours(
        member=member, resource=room, start=at(DAY, 15), end=at(DAY, 16), now=NOW
    )
    with pytest.raises(TrainingRefused) as refused:
        schedule(programme, site, room, admin, trainer)
    assert refused.value.error_dict["room"][0].code == "resource_booked"
    assert not Session.objects.exists()
    assert not SessionHalfDay.objects.exists()
    assert not Booking.objects.filter(kind=BookingKind.BLOCK).exists()


def test_only_staff_of_the_site_schedules(programme, site, room, trainer):
    with pytest.raises(TrainingRefused) as refused:
        schedule(programme, site, room, trainer, trainer)
    assert refused.value.code == "not_staff"
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"capacity": 3, "minimum": 4}, "bad_minimum"),
        ({"capacity": 9, "minimum": 2}, "above_room_capacity"),
        ({"deadline": dt.datetime(2027, 3, 3, 9, tzinfo=dt.UTC)}, "bad_deadline"),
        ({"deadline": NOW - dt.timedelta(hours=1)}, "bad_deadline"),
        ({"day": dt.date(2027, 2, 22)}, "past"),
    ],
)
def test_bad_sessions_are_refused(programme, site, room, admin, trainer, changes, code):
    with pytest.raises(TrainingRefused) as refused:
        schedule(programme, site, room, admin, trainer, **changes)
    assert [e.code for errors in refused.value.error_dict.values() for e in errors] == [code]
    assert not Session.objects.exists()


def test_a_desk_is_not_a_room(programme, site, admin, trainer):
    desk = Resource.objects.filter(site=site, kind="desk").first()
    with pytest.raises(TrainingRefused):
        schedule(programme, site, desk, admin, trainer)


def _enrol(session, n):
    for i in range(n):
        learner = UserFactory(email=f"learner{i}@example.org")
        services.enrolment_create(session=session, learner=learner, by=learner, now=NOW)


def test_below_its_minimum_at_the_deadline_a_session_is_cancelled(
    session, room, django_capture_on_commit_callbacks
):
    _enrol(session, 1)
    mail.outbox.clear()
    assert services.sessions_due_check(now=DEADLINE - dt.timedelta(minutes=1)) == []
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.sessions_due_check(now=DEADLINE)
    assert [s.pk for s in decided] == [session.pk]
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"cancelled"}
    assert not BookingSlot.objects.filter(resource=room, is_active=True).exists()
    assert [m.to for m in mail.outbox] == [["learner0@example.org"]]
    assert "annul" in mail.outbox[0].subject.lower()
    # The room is free again for members.
    booking.booking_create_hours(
        member=UserFactory(), resource=room, start=at(DAY, 10), end=at(DAY, 11), now=NOW
    )
    # Running again decides nothing more.
    assert services.sessions_due_check(now=DEADLINE) == []


def test_at_its_minimum_a_session_is_confirmed_and_keeps_its_room(session, room):
    _enrol(session, 2)
    services.sessions_due_check(now=DEADLINE)
    session.refresh_from_db()
    assert session.status == SessionStatus.CONFIRMED
    assert BookingSlot.objects.filter(resource=room, day=DAY, is_active=True).count() == 24


def test_the_background_task_runs_the_check(session, time_machine):
    from buron.training.tasks import training_sessions_due_check

    time_machine.move_to(DEADLINE + dt.timedelta(minutes=5))
    result = training_sessions_due_check.enqueue()
    assert result.return_value == 1
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


def test_two_sessions_cannot_share_the_room_on_a_day(
    session, programme, site, room, admin, trainer
):
    with pytest.raises(TrainingRefused) as refused:
        schedule(programme, site, room, admin, trainer)
    assert refused.value.error_dict["room"][0].code == "resource_booked"
    assert Session.objects.count() == 1


def test_cancelling_a_session_releases_its_room(session, room, admin):
    services.session_cancel(session=session, by=admin, now=NOW)
    assert not BookingSlot.objects.filter(resource=room, is_active=True).exists()
    with pytest.raises(TrainingRefused):
        services.session_cancel(session=session, by=admin, now=NOW)
