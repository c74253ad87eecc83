"""A member's right to their data: export everything, then erase the personal part.

Apps above accounts (bookings, invoices…) register what they hold about a member, so that
accounts never imports them: dependencies keep flowing one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import User

Exporter = Callable[[User], Any]
Eraser = Callable[[User], None]


@dataclass(frozen=True)
class Holder:
    name: str
    export: Exporter
    erase: Eraser | None


_holders: dict[str, Holder] = {}


def register(name: str, *, export: Exporter, erase: Eraser | None = None) -> None:
    _holders[name] = Holder(name, export, erase)


def holders() -> list[Holder]:
    return list(_holders.values())
