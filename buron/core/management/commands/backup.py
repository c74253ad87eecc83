"""`manage.py backup [--output FILE]`: a full copy of the database (PostgreSQL or SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from buron.core.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "Back up the whole database: pg_dump (custom format) or SQLite's backup API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="file to write (default: backups/buron-<UTC time>.dump or .sqlite3)",
        )

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        db = settings.DATABASES["default"]
        if output is None:
            suffix = "dump" if str(db["ENGINE"]).endswith("postgresql") else "sqlite3"
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            output = Path(settings.BASE_DIR) / "backups" / f"buron-{stamp}.{suffix}"
        try:
            written = database_backup(db=db, output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(written))
