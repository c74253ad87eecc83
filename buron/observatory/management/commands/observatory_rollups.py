import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from buron.observatory.services import rollups_refresh
from buron.places.models import Site


class Command(BaseCommand):
    help = (
        "Recompute the observatory's rollups of a range of days (yesterday and today by "
        "default) from the raw rows. Run it every night, and over a range after changing "
        "opening hours, closures or blocks, or after loading data in bulk."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", help="Last day, YYYY-MM-DD.")
        parser.add_argument("--site", action="append", help="A site's slug (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        try:
            start = dt.date.fromisoformat(options["start"]) if options["start"] else None
            end = dt.date.fromisoformat(options["end"]) if options["end"] else today
        except ValueError as exc:
            raise CommandError(f"Give days as YYYY-MM-DD: {exc}") from exc
        start = start or end - dt.timedelta(days=1)
        if end < start:
            raise CommandError("The last day comes before the first.")
        sites = Site.objects.select_related("network").order_by("pk")
        if options["site"]:
            sites = sites.filter(slug__in=options["site"])
            if len(sites) != len(set(options["site"])):
                raise CommandError("Unknown site slug.")
        count = rollups_refresh(sites=list(sites), start=start, end=end)
        self.stdout.write(f"{count} site-days recomputed.")
