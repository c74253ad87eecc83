"""Learners racing for the last places of a session, each in its own thread and database
connection (SQLite: WAL, BEGIN IMMEDIATE; PostgreSQL: the session's row locked)."""

from __future__ import annotations

import pytest

from buron.accounts.tests.factories import UserFactory
from buron.core.testing.race import race
from buron.training import services
from buron.training.models import Enrolment

from .conftest import NOW

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


def test_concurrent_enrolments_never_go_above_capacity(session):
    racers = [UserFactory(email=f"racer{i}@example.org") for i in range(RACERS)]
    wins, failures = race(
        [
            lambda r=r: services.enrolment_create(session=session, learner=r, by=r, now=NOW)
            for r in racers
        ]
    )
    assert failures == []
    assert len(wins) == RACERS
    confirmed = Enrolment.objects.filter(session=session, status="confirmed")
    assert confirmed.count() == session.capacity == 3
    waiting = list(
        Enrolment.objects.filter(session=session, status="waiting").order_by("created_at", "pk")
    )
    assert len(waiting) == RACERS - 3


def test_concurrent_cancellations_move_the_waiting_list_up_in_order(session):
    people = [UserFactory(email=f"p{i}@example.org") for i in range(7)]
    enrolments = [
        services.enrolment_create(session=session, learner=p, by=p, now=NOW) for p in people
    ]
    # Three places taken, four waiting in the order they enrolled.
    waiting_order = [e.pk for e in enrolments[3:]]
    _wins, failures = race(
        [
            lambda e=e: services.enrolment_cancel(enrolment=e, by=e.learner, now=NOW)
            for e in enrolments[:3]
        ]
    )
    assert failures == []
    confirmed = set(
        Enrolment.objects.filter(session=session, status="confirmed").values_list("pk", flat=True)
    )
    # The first three of the waiting list got the places, the fourth still waits.
    assert confirmed == set(waiting_order[:3])
    assert Enrolment.objects.get(pk=waiting_order[3]).status == "waiting"
