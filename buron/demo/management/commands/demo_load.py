from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from buron.demo.services import demo_load


class Command(BaseCommand):
    help = "Load (or refresh) the Cantal demo network. Running it twice changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(year=timezone.localdate().year)
        self.stdout.write(
            f"Demo network “{result.network.name}”: {result.sites} sites, "
            f"{result.resources} resources.\n"
            f"Demo network admin (demo only): {result.admin_email} / {result.admin_password}\n"
            "  sign in at http://127.0.0.1:8000/admin/"
        )
