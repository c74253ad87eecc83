"""Background work of the offers app: rights that expire, subscriptions that renew."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from . import services


def _day(today: str | None) -> dt.date:
    return dt.date.fromisoformat(today) if today else timezone.localdate()


@task()
def right_expire(*, today: str | None = None) -> int:
    """Write off the credits left on rights past their last day; how many rights."""
    return services.rights_expire(today=_day(today))


@task()
def subscription_renew(*, today: str | None = None) -> int:
    """Renew the subscriptions that ended and are not stopped (a new month and a sale to
    be paid); let the others lapse. How many were renewed."""
    return services.subscriptions_renew(today=_day(today))
