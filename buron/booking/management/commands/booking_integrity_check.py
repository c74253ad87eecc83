"""`manage.py booking_integrity_check`: re-check the booking invariants over whole tables."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from buron.booking.store import booking_invariants_violations


class Command(BaseCommand):
    help = "Check that no resource is booked twice and that every booking's slots agree."

    def handle(self, *args: Any, **options: Any) -> None:
        with connection.cursor() as cursor:
            problems = booking_invariants_violations(cursor=cursor, vendor=connection.vendor)
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("Booking invariants hold.")
