"""A booking's tasks (its confirmation, the observatory's rollups its participants queue)
are rows of the database's queue written in its transaction by one statement; a booking
refused or rolled back leaves none."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from buron.booking import participants, services
from buron.booking.errors import BookingRefused
from buron.booking.participants import BookingChange
from buron.core.queue import task_enqueue, tasks_together
from buron.observatory.tasks import rollup_site_day_run

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _task_inserts(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("INSERT") and DBTaskResult._meta.db_table in q["sql"]
    ]


def test_a_booking_writes_its_confirmation_and_rollup_in_one_statement(
    database_queue, site, member
):
    with CaptureQueriesContext(connection) as queries:
        booking = services.booking_create_half_day(
            member=member, site=site, day=DAY, period="am", now=NOW
        )
    assert len(_task_inserts(queries)) == 1
    queued = {r.task_path: r for r in DBTaskResult.objects.all()}
    confirmation = queued["buron.booking.tasks.booking_confirmation_send"]
    assert confirmation.args_kwargs["kwargs"]["booking_ids"] == [booking.pk]
    rollup = queued["buron.observatory.tasks.rollup_site_day_run"]
    assert rollup.args_kwargs["kwargs"] == {"site_id": site.pk, "day": DAY.isoformat()}
    # Rows the worker takes as any other: ready, to run now.
    assert {r.task_result.status for r in queued.values()} == {"READY"}
    assert DBTaskResult.objects.ready().count() == 2


class Refuse:
    def booking_created(self, change: BookingChange) -> None:
        raise BookingRefused("no")

    def booking_cancelled(self, change: BookingChange) -> None:
        pass


def test_a_refused_booking_queues_nothing(database_queue, site, member):
    participants.participant_register(name="refuse", participant=Refuse())
    try:
        with pytest.raises(BookingRefused):
            services.booking_create_half_day(
                member=member, site=site, day=DAY, period="am", now=NOW
            )
    finally:
        participants.participant_unregister(name="refuse")
    assert not DBTaskResult.objects.exists()


def test_tasks_queued_together_are_dropped_when_the_block_fails(database_queue, site):
    with pytest.raises(RuntimeError), transaction.atomic(), tasks_together():
        task_enqueue(rollup_site_day_run, site_id=site.pk, day=DAY.isoformat())
        raise RuntimeError("after the task was queued")
    assert not DBTaskResult.objects.exists()
    # Outside a block, a task is queued at once as usual.
    task_enqueue(rollup_site_day_run, site_id=site.pk, day=DAY.isoformat())
    assert DBTaskResult.objects.count() == 1
