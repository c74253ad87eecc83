"""Queue the day's offers work: expire rights, renew subscriptions (run it daily, e.g. from
cron: `manage.py offers_daily`; `db_worker` does the work)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from buron.offers import tasks


class Command(BaseCommand):
    help = "Queue the expiry of rights and the renewal of subscriptions."

    def handle(self, *args: Any, **options: Any) -> None:
        tasks.right_expire.enqueue()
        tasks.subscription_renew.enqueue()
        self.stdout.write("queued: right_expire, subscription_renew")
