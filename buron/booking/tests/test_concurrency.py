"""Races for the last desk and for one room hour, with real connections in threads.

These run on SQLite (WAL, BEGIN IMMEDIATE, busy timeout) and on PostgreSQL: exactly one
request wins, the others get the "just taken" answer, none sees "database is locked".
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction

from buron.accounts.models import User
from buron.accounts.tests.factories import UserFactory
from buron.booking import services
from buron.booking.errors import SlotTaken
from buron.booking.models import Booking, BookingSlot
from buron.booking.services import create
from buron.booking.services.rules import MemberDay
from buron.core.testing.race import race
from buron.places.models import Resource
from buron.places.selectors import site_schedule

from .conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


def members(n: int) -> list[User]:
    return [UserFactory(email=f"racer{i}@example.org") for i in range(n)]


def test_only_one_member_gets_the_last_desk(site):
    Resource.objects.filter(site=site, kind="desk").exclude(name="Poste 1").delete()
    racers = members(RACERS)
    wins, failures = race(
        [
            lambda m=m: services.booking_create_half_day(
                member=m, site=site, day=DAY, period="am", now=NOW
            )
            for m in racers
        ]
    )
    assert len(wins) == 1, failures
    assert len(failures) == RACERS - 1
    assert all(isinstance(f, SlotTaken) for f in failures), [repr(f) for f in failures]
    assert BookingSlot.objects.filter(is_active=True).count() == 1


def test_only_one_member_gets_a_room_hour(site):
    room = Resource.objects.get(site=site, kind="meeting_room")
    racers = members(RACERS)
    wins, failures = race(
        [
            lambda m=m: services.booking_create_hours(
                member=m, resource=room, start=at(DAY, 10), end=at(DAY, 11), now=NOW
            )
            for m in racers
        ]
    )
    assert len(wins) == 1, failures
    assert all(isinstance(f, SlotTaken) for f in failures), [repr(f) for f in failures]


def test_racing_for_two_desks_fills_both_and_no_more(site):
    racers = members(RACERS)
    wins, failures = race(
        [
            lambda m=m: services.booking_create_half_day(
                member=m, site=site, day=DAY, period="day", now=NOW
            )
            for m in racers
        ]
    )
    assert len(wins) == 2
    assert {b.resource_id for b in wins} == set(
        Resource.objects.filter(site=site, kind="desk").values_list("pk", flat=True)
    )
    assert all(isinstance(f, SlotTaken) for f in failures), [repr(f) for f in failures]


def _slot_constraint() -> Any:
    return next(c for c in BookingSlot._meta.constraints if c.name == "slot_one_active_booking")


def test_the_guarantee_comes_from_the_database_constraint(site):
    """A member asking for a given desk is not checked by a read: the insert is. Without
    the constraint the same desk is booked twice, which proves the database is the guard."""
    desk = Resource.objects.get(site=site, name="Poste 1")
    first, second, third, fourth = members(4)
    services.booking_create_half_day(
        member=first, site=site, day=DAY, period="am", resource=desk, now=NOW
    )
    with pytest.raises(SlotTaken):
        services.booking_create_half_day(
            member=second, site=site, day=DAY, period="am", resource=desk, now=NOW
        )
    constraint = _slot_constraint()
    with connection.schema_editor() as editor:
        editor.remove_constraint(BookingSlot, constraint)
    try:
        services.booking_create_half_day(
            member=third, site=site, day=DAY, period="am", resource=desk, now=NOW
        )
        doubled = Booking.objects.filter(resource=desk, status="active").count()
    finally:
        BookingSlot.objects.filter(booking__member=third).delete()
        Booking.objects.filter(member=third).delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(BookingSlot, constraint)
    assert doubled == 2
    with pytest.raises(SlotTaken):
        services.booking_create_half_day(
            member=fourth, site=site, day=DAY, period="am", resource=desk, now=NOW
        )


def test_the_same_idempotency_key_sent_twice_at_once_books_once(site):
    import json

    from django.test import Client

    from buron.accounts.services import api_token_create

    member = UserFactory(email="twice@example.org")
    token = api_token_create(user=member)
    body = json.dumps({"site": "murat", "date": str(DAY), "period": "am"})

    def send() -> tuple[int, dict[str, Any]]:
        response = Client().post(
            "/api/v1/bookings",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY="same-key",
        )
        return response.status_code, response.json()

    # The clock is frozen for the whole process (time-machine patches it for every thread).
    with time_machine.travel(NOW, tick=False):
        wins, failures = race([send, send, send, send])
    assert failures == []
    assert [status for status, _ in wins] == [201] * 4
    assert len({answer["id"] for _, answer in wins}) == 1
    assert Booking.objects.count() == 1


def test_old_idempotency_answers_are_purged(site):
    import datetime as dt

    from buron.core.idempotency import idempotency_purge
    from buron.core.models import IdempotencyRecord

    member = UserFactory(email="purge@example.org")
    old = IdempotencyRecord.objects.create(
        user=member, key="old", request_digest="x", status_code=201, body={}
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=old.created_at - dt.timedelta(days=8)
    )
    IdempotencyRecord.objects.create(
        user=member, key="new", request_digest="y", status_code=201, body={}
    )
    assert idempotency_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite runs one write transaction at a time: two claims never overlap there",
)
def test_two_day_claims_crossing_desks_neither_wait_nor_deadlock(site, monkeypatch):
    """Two members claim a full day on two desks whose afternoons are held, in opposite
    orders. Each gets a morning, is refused the afternoon, and — both still in their
    transactions — tries the other's desk: a refused claim must have let go of the
    morning it wrote, or each waits on the other."""
    first, second = Resource.objects.filter(site=site, kind="desk").order_by("name")[:2]
    for desk in (first, second):
        services.booking_create_half_day(
            member=UserFactory(), site=site, day=DAY, period="pm", resource=desk, now=NOW
        )
    span = create._half_day_span_or_refuse(site, site_schedule(site, DAY), "day")
    both_refused_once = threading.Barrier(2, timeout=10)
    waited = threading.local()
    real_claim = create._new_booking

    def claim_then_meet(**kwargs):
        booking = real_claim(**kwargs)
        if booking is None and not getattr(waited, "done", False):
            waited.done = True
            both_refused_once.wait()
        return booking

    monkeypatch.setattr(create, "_new_booking", claim_then_meet)

    def claim(member, desks):
        with transaction.atomic():
            return create._claims(
                candidates=desks,
                member=member,
                day=MemberDay(True, 0, 0, "freelancer", ""),
                booked_by=None,
                site=site,
                span=span,
                period="day",
            )

    a, b = members(2)
    wins, failures = race([lambda: claim(a, [first, second]), lambda: claim(b, [second, first])])
    assert failures == [], [repr(f) for f in failures]
    assert wins == [None, None]
    assert not BookingSlot.objects.filter(slot=0).exists()
