from typing import Any

from django.core.management.base import BaseCommand

from buron.core.idempotency import idempotency_purge


class Command(BaseCommand):
    help = "Forget the replayable answers to Idempotency-Key requests older than a week."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{idempotency_purge()} answers forgotten.")
