"""Background work of the observatory: keeping rollups up to date."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django_tasks import task
from django_tasks_db import DatabaseBackend

from buron.core.queue import task_enqueue
from buron.places.models import Site


@task()
def rollup_site_day_run(*, site_id: int, day: str) -> int:
    """Recompute one site-day's rollup (see services.rollup_site_day_refresh)."""
    from .services import rollup_site_day_refresh

    site = Site.objects.select_related("network").filter(pk=site_id).first()
    if site is None:
        return 0
    rollup_site_day_refresh(site=site, day=dt.date.fromisoformat(day))
    return 1


def site_days_changed(site_days: set[tuple[int, dt.date]]) -> None:
    """Queue the recomputation of site-days whose raw rows change in the current
    transaction: in the database's queue the tasks commit or roll back with it (written
    with the booking's other tasks when a booking queues them); any other queue is handed
    them once it has committed."""
    if not site_days:
        return
    pending = sorted(site_days)

    def send() -> None:
        for site_id, day in pending:
            task_enqueue(rollup_site_day_run, site_id=site_id, day=day.isoformat())

    if isinstance(rollup_site_day_run.get_backend(), DatabaseBackend):
        send()
    else:
        transaction.on_commit(send)
