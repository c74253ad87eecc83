"""The migration that keeps only the calendar secret's digest: addresses made before it
keep working after it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from buron.booking.selectors import member_for_calendar

BEFORE = [("accounts", "0003_redundant_key_indexes")]


@pytest.mark.django_db(transaction=True)
def test_a_feed_address_made_before_the_digest_keeps_working():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(
        email="camille@example.org", password="!", is_active=True
    )
    old.get_model("accounts", "MemberProfile").objects.create(
        user=user, calendar_token="an-old-secret-of-the-feed-address-0123456789"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    found = member_for_calendar(token="an-old-secret-of-the-feed-address-0123456789")
    assert found is not None and found.email == "camille@example.org"
    assert member_for_calendar(token="an-old-secret-of-the-feed-address-012345678") is None
