from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from buron.booking import services
from buron.booking.errors import SlotTaken
from buron.booking.models import Booking

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


def test_a_confirmation_is_emailed_once_the_booking_is_committed(
    site, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking = services.booking_create_half_day(
            member=member, site=site, day=DAY, period="am", now=NOW
        )
        assert mail.outbox == [], "nothing is sent before the commit"
    # One confirmation (other apps may queue their own work at the commit too).
    sends = [c for c in callbacks if c.__qualname__ == "confirm_by_email.<locals>.send"]
    assert len(sends) == 1
    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    assert site.name in mail.outbox[0].subject
    assert booking.resource.name in mail.outbox[0].body
    assert "08:30" in mail.outbox[0].body


def test_a_recurring_booking_sends_one_email_listing_every_occurrence(
    site, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.series_create(
            member=member,
            site=site,
            weekdays=[1, 3],
            period="am",
            start_date=DAY,
            end_date=DAY + dt.timedelta(days=7),
            now=NOW,
        )
    assert len(mail.outbox) == 1
    assert len(result.booked) == 3
    assert mail.outbox[0].body.count(site.name) == 3


def test_no_email_when_the_booking_fails(site, member, member2, django_capture_on_commit_callbacks):
    third = type(member).objects.create_user("third@example.org", "x")
    for m in (member, member2):
        services.booking_create_half_day(member=m, site=site, day=DAY, period="am", now=NOW)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SlotTaken):
        services.booking_create_half_day(member=third, site=site, day=DAY, period="am", now=NOW)
    assert mail.outbox == []


def test_the_email_speaks_the_member_s_language_whatever_the_request_s(
    site, member, django_capture_on_commit_callbacks
):
    from buron.accounts.models import MemberProfile

    MemberProfile.objects.filter(user=member).update(language="en")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    assert "Your booking is confirmed" in mail.outbox[0].body


def test_without_a_profile_the_email_speaks_the_language_of_the_request(
    site, member, django_capture_on_commit_callbacks
):
    from buron.accounts.models import MemberProfile

    MemberProfile.objects.filter(user=member).delete()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    assert "Your booking is confirmed" in mail.outbox[0].body


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings):
    """The production queue: tasks are rows of the database, worked by db_worker."""
    settings.TASKS = DATABASE_QUEUE


def test_the_database_queue_gets_the_task_in_the_booking_s_transaction(
    database_queue, site, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        booking = services.booking_create_half_day(
            member=member, site=site, day=DAY, period="am", now=NOW
        )
    assert callbacks == [], "no second write after the commit"
    (queued,) = DBTaskResult.objects.filter(task_path__startswith="buron.booking.")
    assert queued.task_path == "buron.booking.tasks.booking_confirmation_send"
    assert queued.args_kwargs["kwargs"]["booking_ids"] == [booking.pk]
    assert mail.outbox == [], "the worker sends it"


def test_the_database_queue_loses_the_task_with_a_rolled_back_booking(database_queue, site, member):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
        raise RuntimeError("the caller's transaction fails after the booking")
    assert not DBTaskResult.objects.exists()
    assert not Booking.objects.exists()


def test_the_database_queue_gets_nothing_for_a_refused_booking(
    database_queue, site, member, member2
):
    third = type(member).objects.create_user("third@example.org", "x")
    for m in (member, member2):
        services.booking_create_half_day(member=m, site=site, day=DAY, period="am", now=NOW)
    DBTaskResult.objects.all().delete()
    with pytest.raises(SlotTaken):
        services.booking_create_half_day(member=third, site=site, day=DAY, period="am", now=NOW)
    assert not DBTaskResult.objects.exists()
