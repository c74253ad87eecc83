"""Concurrent issuing, with real connections in threads, on SQLite and PostgreSQL: one
continuous sequence, no gap, no duplicate."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from buron.accounts.tests.factories import UserFactory
from buron.billing import services
from buron.billing.models import Invoice, NumberCounter
from buron.places.tests.factories import NetworkFactory

from .factories import desk_day, make_seller

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


def race(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    wins: list[Any] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            result = call()
            with lock:
                wins.append(result)
        except BaseException as exc:
            with lock:
                failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return wins, failures


def test_concurrent_issuing_gives_one_gapless_sequence():
    seller = make_seller(NetworkFactory(slug="race"))
    members = [UserFactory(email=f"racer{i}@example.org") for i in range(RACERS)]
    wins, failures = race(
        [
            lambda m=m: services.invoice_issue(
                seller=seller, lines=[desk_day()], customer_user=m, render=False
            )
            for m in members
        ]
    )
    assert failures == []
    sequences = sorted(Invoice.objects.filter(seller=seller).values_list("sequence", flat=True))
    assert sequences == list(range(1, RACERS + 1))
    assert len({w.number for w in wins}) == RACERS
    assert NumberCounter.objects.get(seller=seller).last == RACERS


def test_concurrent_issuing_of_drafts_and_refusals_leaves_no_gap():
    """Half the racers are refused by the rules after taking a number: it is given back."""
    seller = make_seller(NetworkFactory(slug="race2"), prefix="RACE")
    members = [UserFactory(email=f"r{i}@example.org") for i in range(RACERS)]
    good = [
        services.invoice_draft_create(seller=seller, lines=[desk_day()], customer_user=m)
        for m in members[: RACERS // 2]
    ]
    bad_line = desk_day()
    bad = [
        services.invoice_draft_create(
            seller=seller,
            lines=[type(bad_line)(**{**bad_line.__dict__, "description": " "})],
            customer_user=m,
        )
        for m in members[RACERS // 2 :]
    ]
    wins, failures = race(
        [lambda d=d: services.invoice_draft_issue(invoice=d, render=False) for d in good + bad]
    )
    assert len(wins) == RACERS // 2
    assert all(isinstance(f, services.InvoiceRefused) for f in failures), failures
    sequences = sorted(
        Invoice.objects.filter(seller=seller, sequence__isnull=False).values_list(
            "sequence", flat=True
        )
    )
    assert sequences == list(range(1, RACERS // 2 + 1))
