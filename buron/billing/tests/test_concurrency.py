"""Concurrent issuing, with real connections in threads, on SQLite and PostgreSQL: one
continuous sequence, no gap, no duplicate."""

from __future__ import annotations

import pytest

from buron.accounts.tests.factories import UserFactory
from buron.billing import services
from buron.billing.models import Invoice, NumberCounter
from buron.core.testing.race import race
from buron.places.tests.factories import NetworkFactory

from .factories import desk_day, make_seller

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


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
