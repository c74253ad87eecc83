"""What apps above attendance want to hear about visits, without attendance importing
them (the observatory keeps its rollups up to date with it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

SiteDays = set[tuple[int, dt.date]]
VisitsListener = Callable[[SiteDays], object]

_visits_listeners: list[VisitsListener] = []


def on_visits_change(listener: VisitsListener) -> None:
    """Call `listener({(site_id, day), ...})` inside the transaction that records, corrects
    or anonymises visits of those site-days."""
    if listener not in _visits_listeners:
        _visits_listeners.append(listener)


def visits_changed(site_days: SiteDays) -> None:
    if not site_days:
        return
    for listener in _visits_listeners:
        listener(site_days)
