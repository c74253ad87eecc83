"""No-shows: a booking nobody checked in for is released after its network's delay, its
desk can be booked by someone else, its member is told; a member who checked in never is."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from buron.attendance import services
from buron.attendance.models import AttendanceSettings, Visit
from buron.booking.models import Booking, BookingSlot, BookingStatus
from buron.booking.services import booking_create_half_day
from buron.places.models import Resource

from .conftest import DAY, at, book

pytestmark = pytest.mark.django_db


def test_a_no_show_is_released_and_the_desk_goes_to_someone_else(site, member, member2):
    booking = book(member, site)  # the site's only desk, all day (8:30–18:00)
    mail.outbox.clear()
    with time_machine.travel(at(DAY, 9, 29), tick=False):
        assert services.no_shows_release() == []  # 59 minutes after the start: not yet
    with time_machine.travel(at(DAY, 9, 31), tick=False):
        released = services.no_shows_release()
        assert [b.pk for b in released] == [booking.pk]
        booking.refresh_from_db()
        assert booking.status == BookingStatus.RELEASED
        assert not BookingSlot.objects.filter(booking=booking, is_active=True).exists()
        # The member is told, in the network's time.
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["camille@example.org"]
        assert "08:30" in mail.outbox[0].body
        # The same desk, the same morning: free again for the second member.
        again = booking_create_half_day(member=member2, site=site, day=DAY, period="am")
        assert again.resource_id == booking.resource_id
        # Released once; member2's booking, made at 9:31, has its hour from then on.
        assert services.no_shows_release() == []
    with time_machine.travel(at(DAY, 10, 30), tick=False):
        assert services.no_shows_release() == []
    with time_machine.travel(at(DAY, 10, 32), tick=False):
        assert services.no_shows_release() == [again]
    assert [m.to for m in mail.outbox] == [["camille@example.org"], ["dominique@example.org"]]


def test_a_member_who_checked_in_is_never_released(site, member):
    booking = book(member, site)
    with time_machine.travel(at(DAY, 9, 45), tick=False):
        # Late, after the delay, but before the release ran.
        services.visit_checkin(
            site=site,
            member=member,
            arrived_at=at(DAY, 9, 45),
            client_uuid=uuid.uuid4(),
            source="qr",
        )
    for hour in (10, 13, 17):
        with time_machine.travel(at(DAY, hour), tick=False):
            assert services.no_shows_release() == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE


def test_an_offline_check_in_made_in_time_saves_the_booking_when_it_arrives(site, member):
    booking = book(member, site, period="am")
    # Checked in at 8:40 on a phone without connection; sent at 9:50, after the delay.
    with time_machine.travel(at(DAY, 9, 50), tick=False):
        services.visit_checkin(
            site=site,
            member=member,
            arrived_at=at(DAY, 8, 40),
            client_uuid=uuid.uuid4(),
            source="qr",
        )
        assert services.no_shows_release() == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE


def test_a_check_in_after_the_booking_ended_does_not_save_it(site, member):
    morning = book(member, site, period="am")
    with time_machine.travel(at(DAY, 14), tick=False):
        services.visit_checkin(
            site=site, member=member, arrived_at=at(DAY, 14), client_uuid=uuid.uuid4(), source="qr"
        )
        assert [b.pk for b in services.no_shows_release()] == [morning.pk]
    assert Visit.objects.get().booking is None


def test_the_delay_is_the_networks(site, member):
    AttendanceSettings.objects.create(network=site.network, no_show_after_minutes=120)
    booking = book(member, site)
    with time_machine.travel(at(DAY, 10, 29), tick=False):
        assert services.no_shows_release() == []
    with time_machine.travel(at(DAY, 10, 31), tick=False):
        assert [b.pk for b in services.no_shows_release()] == [booking.pk]


def test_cancelled_bookings_and_blocks_are_left_alone(site, member, host):
    booking = book(member, site)
    booking.status = BookingStatus.CANCELLED
    booking.save()
    with time_machine.travel(at(DAY, 12), tick=False):
        assert services.no_shows_release() == []
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_the_command_queues_the_release_which_the_worker_runs(site, member, capsys):
    booking = book(member, site)
    with time_machine.travel(at(DAY, 10), tick=False):
        call_command("no_shows_release")  # tests run tasks at once
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RELEASED
    assert "queued" in capsys.readouterr().out


def test_the_command_runs_here_with_now(site, member, capsys):
    book(member, site)
    with time_machine.travel(at(DAY, 10), tick=False):
        call_command("no_shows_release", "--now")
    assert "1 bookings released" in capsys.readouterr().out


def _race(site, member, day: dt.date) -> list[BaseException]:
    """A check-in (arrived at 9:20) and the release (run at 9:31), each in its own thread
    and connection, let go at the same moment."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(work) -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run,
            args=(
                lambda: services.visit_checkin(
                    site=site,
                    member=member,
                    arrived_at=at(day, 9, 20),
                    client_uuid=uuid.uuid4(),
                    source="qr",
                    now=at(day, 9, 31),
                ),
            ),
        ),
        threading.Thread(target=run, args=(lambda: services.no_shows_release(now=at(day, 9, 31)),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_a_check_in_racing_the_release_is_never_lost(site, member):
    """Either the member is checked in and the booking stays, or the booking was released
    first and the visit is recorded without it: never a released booking with a visit
    that honoured it."""
    for attempt in range(6):
        day = DAY + dt.timedelta(days=7 * attempt)
        with time_machine.travel(at(DAY, 9) - dt.timedelta(days=7), tick=False):
            booking = booking_create_half_day(member=member, site=site, day=day, period="am")
        assert _race(site, member, day) == []
        booking.refresh_from_db()
        visit = Visit.objects.get(day=day)
        if booking.status == BookingStatus.RELEASED:
            assert visit.booking is None
        else:
            assert booking.status == BookingStatus.ACTIVE
            assert visit.booking_id == booking.pk
    assert Resource.objects.count() == 1
