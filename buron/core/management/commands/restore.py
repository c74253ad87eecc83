"""`manage.py restore FILE [--database-url URL] [--noinput]`: put a backup back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from buron.core.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database (or --database-url), "
        "replacing its content. Stop the web and worker processes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path)
        parser.add_argument(
            "--database-url",
            help="restore into this database instead of the configured one (e.g. a fresh one "
            "for a restore drill)",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(
        self,
        *args: Any,
        source: Path,
        database_url: str | None,
        interactive: bool,
        **options: Any,
    ) -> None:
        db = dj_database_url.parse(database_url) if database_url else settings.DATABASES["default"]
        if interactive:
            answer = input(f"Replace everything in {db['NAME']} with {source}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            database_restore(source=source, db=db)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {source} into {db['NAME']}.")
