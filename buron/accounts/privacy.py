"""A member's right to their data: export everything, then erase the personal part.

Apps above accounts (bookings, invoices…) register what they hold about a member, so that
accounts never imports them: dependencies keep flowing one way. An eraser may hand back the
bookings (or other places held) that the departure gave up, for staff to see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import User


@dataclass(frozen=True)
class Affected:
    """One place held for someone that a departure gave up: moved elsewhere or cancelled.

    Shown to the staff who caused it (the list after the action); `person` names who held
    it, `outcome` says what became of it in words ("moved to Desk 2", "cancelled")."""

    booking_id: int
    site: str
    resource: str
    start: dt.datetime
    person: str
    outcome: str
    moved: bool = False


Exporter = Callable[[User], Any]
Eraser = Callable[[User], "list[Affected] | None"]


@dataclass(frozen=True)
class Holder:
    name: str
    export: Exporter
    erase: Eraser | None


_holders: dict[str, Holder] = {}


def register(name: str, *, export: Exporter, erase: Eraser | None = None) -> None:
    """Register what an app holds about a person: how to export it and how to erase it."""
    _holders[name] = Holder(name, export, erase)


def holders() -> list[Holder]:
    """Every registered holder, in the order of registration."""
    return list(_holders.values())
