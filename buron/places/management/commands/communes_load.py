from typing import Any

from django.core.management.base import BaseCommand

from buron.places.communes import communes_load


class Command(BaseCommand):
    help = "Load the official list of French communes (INSEE codes and coordinates)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = communes_load()
        self.stdout.write(f"{added} communes added.")
