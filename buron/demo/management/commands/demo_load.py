from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from buron.demo.services import demo_load


class Command(BaseCommand):
    help = "Load (or refresh) the Cantal demo network. Running it twice changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(year=timezone.localdate().year)
        lines = [
            f"Demo network “{result.network.name}”: {result.sites} sites, "
            f"{result.resources} resources.",
            "Demo accounts (demo only):",
            *(f"  {a.who}: {a.email} / {a.password}" for a in result.accounts),
            "  staff sign in at http://127.0.0.1:8000/admin/ (hosts: /gestion/), "
            "members at http://127.0.0.1:8000/compte/login/",
        ]
        self.stdout.write("\n".join(lines))
