from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from buron.attendance.tasks import no_shows_release_run


class Command(BaseCommand):
    help = (
        "Release the bookings nobody checked in for within their network's delay (no-shows). "
        "Run it every few minutes (cron or a systemd timer): it queues the background task, "
        "which a db_worker runs; --now runs it here instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run here, not in the queue.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            from buron.attendance.services import no_shows_release

            released = no_shows_release()
            self.stdout.write(f"{len(released)} bookings released.")
            return
        result = no_shows_release_run.enqueue()
        self.stdout.write(f"No-show release queued ({result.id}).")
