"""Backups of the whole database and their restore, on PostgreSQL and SQLite.

PostgreSQL: `pg_dump` in its custom format (compressed, restorable table by table) and
`pg_restore` in one transaction, so a failed restore leaves the target as it was.
SQLite: the sqlite3 online backup API, which copies a consistent state even while the site
writes (WAL mode), both ways.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done, with a message for the operator."""


def _vendor(db: Mapping[str, Any]) -> str:
    engine = str(db["ENGINE"])
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def _pg_env(db: Mapping[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def database_backup(*, db: Mapping[str, Any], output: Path) -> Path:
    """Write a full copy of the database `db` (a DATABASES entry) to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if _vendor(db) == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed tools, settings values
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={output}",
                str(db["NAME"]),
            ],
            env=_pg_env(db),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return output
    source = sqlite3.connect(str(db["NAME"]))
    target = sqlite3.connect(str(output))
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return output


def backup_format(path: Path) -> str:
    """ "postgresql" or "sqlite", read from the file's first bytes."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} is not a Buron backup (neither pg_dump custom nor SQLite).")


def database_restore(*, source: Path, db: Mapping[str, Any]) -> None:
    """Replace the content of the database `db` with the backup `source`.

    Stop the web and worker processes first: the restore replaces every table.
    """
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    vendor = _vendor(db)
    found = backup_format(source)
    if found != vendor:
        raise BackupError(f"{source} is a {found} backup; the target database is {vendor}.")
    if vendor == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed tools, settings values
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={db['NAME']}",
                str(source),
            ],
            env=_pg_env(db),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        return
    backup = sqlite3.connect(str(source))
    target = sqlite3.connect(str(db["NAME"]))
    try:
        backup.backup(target)
    finally:
        target.close()
        backup.close()
