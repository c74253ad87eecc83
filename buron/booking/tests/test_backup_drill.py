"""Restore drill: back up, restore into a fresh database, re-check the booking invariants.

Runs on the suite's database (SQLite or PostgreSQL) with the real tools: SQLite's backup
API, pg_dump and pg_restore. The restored copy is read through its own plain connection,
never the suite's, so what is checked is what was restored.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from buron.booking import services
from buron.booking.models import Booking, BookingSlot
from buron.booking.store import booking_invariants_violations
from buron.places.models import Resource

from .conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db(transaction=True)


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


def _pg_admin() -> psycopg.Connection[Any]:
    db = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or "postgres",
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A fresh, empty database of the suite's kind: (its URL, a function opening it)."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
        with _pg_admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        db = connection.settings_dict

        def open_pg() -> Any:
            return psycopg.connect(
                dbname=name,
                user=db.get("USER") or "postgres",
                host=db.get("HOST") or "127.0.0.1",
                port=db.get("PORT") or 5432,
                password=db.get("PASSWORD") or None,
            )

        yield _pg_url(name), open_pg
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)


def _bookings(site, member, member2) -> list[Booking]:
    desks = list(Resource.objects.filter(site=site, kind="desk").order_by("id"))
    room = Resource.objects.get(site=site, kind="meeting_room")
    made = [
        services.booking_create_half_day(member=member, site=site, day=DAY, period="day", now=NOW),
        services.booking_create_half_day(member=member2, site=site, day=DAY, period="am", now=NOW),
        services.booking_create_hours(
            member=member, resource=room, start=at(DAY, 9), end=at(DAY, 12), now=NOW
        ),
    ]
    cancelled = services.booking_create_half_day(
        member=member2, site=site, day=DAY, period="pm", now=NOW
    )
    cancelled = services.booking_cancel(booking=cancelled, by=member2, now=NOW)
    assert cancelled.status == "cancelled"
    assert {b.resource_id for b in made[:2]} <= {d.id for d in desks}
    return [*made, cancelled]


def test_it_restores_a_backup_into_a_fresh_database_where_the_invariants_hold(
    site, member, member2, tmp_path, fresh
):
    made = _bookings(site, member, member2)
    url, open_restored = fresh
    dump = tmp_path / "buron.backup"

    call_command("backup", output=dump)
    call_command("restore", str(dump), database_url=url, interactive=False)

    vendor = connection.vendor
    restored = open_restored()
    try:
        cursor = restored.cursor()
        assert booking_invariants_violations(cursor=cursor, vendor=vendor) == []
        cursor.execute(f"SELECT id, status, resource_id FROM {Booking._meta.db_table} ORDER BY id")
        assert cursor.fetchall() == [(b.id, b.status, b.resource_id) for b in made]
        cursor.execute(f"SELECT count(*) FROM {BookingSlot._meta.db_table} WHERE is_active")
        assert cursor.fetchone()[0] == 2 + 1 + 3  # a day, a morning, three room hours

        # The check finds a broken copy: a booking that lost one of its slots.
        cursor.execute(
            f"DELETE FROM {BookingSlot._meta.db_table} WHERE booking_id = {made[0].id} AND slot = 1"
        )
        assert booking_invariants_violations(cursor=cursor, vendor=vendor) == [
            "active bookings whose active slots do not match their period: 1"
        ]
        true = "true" if vendor == "postgresql" else "1"
        cursor.execute(
            f"UPDATE {BookingSlot._meta.db_table} SET is_active = {true} "
            f"WHERE booking_id = {made[3].id}"
        )
        assert "active slots of cancelled bookings: 1" in booking_invariants_violations(
            cursor=cursor, vendor=vendor
        )
        restored.rollback()
    finally:
        restored.close()


def test_the_integrity_command_passes_on_the_live_database(site, member, member2):
    _bookings(site, member, member2)
    call_command("booking_integrity_check")


def test_the_integrity_command_fails_when_slots_disagree(site, member, member2):
    made = _bookings(site, member, member2)
    BookingSlot.objects.filter(booking=made[1]).update(is_active=False)
    with pytest.raises(CommandError, match="do not match their period: 1"):
        call_command("booking_integrity_check")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, fresh, db):
    url, _ = fresh
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with pytest.raises(CommandError, match="not a Buron backup"):
        call_command("restore", str(junk), database_url=url, interactive=False)


def test_restore_refuses_a_backup_of_the_other_kind(tmp_path, db):
    other = tmp_path / "other.backup"
    if connection.vendor == "postgresql":
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
        target = _pg_url("unused")
    else:
        other.write_bytes(b"PGDMP" + b"\0" * 100)
        target = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    with pytest.raises(CommandError, match="backup; the target database is"):
        call_command("restore", str(other), database_url=target, interactive=False)


def test_restore_asks_before_replacing(tmp_path, fresh, db, monkeypatch):
    url, _ = fresh
    dump = tmp_path / "buron.backup"
    call_command("backup", output=dump)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Restore cancelled"):
        call_command("restore", str(dump), database_url=url)
