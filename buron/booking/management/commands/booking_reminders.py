"""Queue tomorrow's booking reminders; run once a day (e.g. at 17:00 from cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from buron.booking.tasks import booking_reminders_send


class Command(BaseCommand):
    help = "Queue the reminders of the bookings of a day (tomorrow by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"] or timezone.localdate() + dt.timedelta(days=1)
        booking_reminders_send.enqueue(day=day.isoformat())
        self.stdout.write(f"Reminders queued for {day.isoformat()}.")
