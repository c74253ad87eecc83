"""Queue the monthly employer invoicing (run it on the first day of each month, e.g. from
cron: `0 3 1 * * manage.py employer_invoicing`; `db_worker` does the work). Running it again
invoices nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buron.billing.employer_tasks import employer_invoicing_queue


class Command(BaseCommand):
    help = "Queue the invoicing of employer contracts for a month (by default the previous one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: the previous month)")

    def handle(self, *args: Any, **options: Any) -> None:
        month = None
        if options["month"]:
            try:
                month = dt.date.fromisoformat(f"{options['month']}-01")
            except ValueError as exc:
                raise CommandError("Give the month as YYYY-MM.") from exc
        networks = employer_invoicing_queue(month=month)
        self.stdout.write(f"queued employer invoicing for {len(networks)} network(s)")
