"""What apps above accounts want to hear about a member, without accounts importing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .models import User

StatusListener = Callable[[User, dt.date], object]

_status_listeners: list[StatusListener] = []


def on_status_change(listener: StatusListener) -> None:
    """Call `listener(user, valid_from)` after a member's status changes from that day on."""
    if listener not in _status_listeners:
        _status_listeners.append(listener)


def status_changed(user: User, valid_from: dt.date) -> None:
    for listener in _status_listeners:
        listener(user, valid_from)
