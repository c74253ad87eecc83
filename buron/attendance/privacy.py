"""What visits hold about a member: their export, what closing an account erases, and
the status each visit keeps when the member corrects their status history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from buron.accounts.models import StatusPeriod, User

from . import events
from .models import Visit


def member_visits_export(user: User) -> list[dict[str, Any]]:
    """The member's visits, oldest first."""
    return [
        {
            "site": v.site.slug,
            "day": v.day.isoformat(),
            "arrived_at": v.arrived_at.isoformat(),
            "source": v.source,
            "visitor_status": v.visitor_status,
            "km_avoided": str(v.km_avoided) if v.km_avoided is not None else None,
        }
        for v in Visit.objects.filter(member=user).select_related("site").order_by("arrived_at")
    ]


def member_visits_forget(user: User) -> None:
    """Visits stay, anonymous, for statistics: the link to the person goes, and so does the
    commune of their workplace (the commune of residence stays, as for a walk-in)."""
    visits = Visit.objects.filter(member=user)
    site_days = set(visits.values_list("site_id", "day").distinct())
    visits.update(member=None, work_commune=None)
    events.visits_changed(site_days)


def member_visits_restatus(user: User, valid_from: dt.date) -> int:
    """After a status change from `valid_from` on, the member's visits from that day on
    take the status in force on their own day."""
    periods = list(StatusPeriod.objects.filter(user=user).order_by("valid_from"))
    if not periods:
        return 0
    changed = 0
    site_days: set[tuple[int, dt.date]] = set()
    for visit in Visit.objects.filter(member=user, day__gte=valid_from):
        in_force = [p for p in periods if p.valid_from <= visit.day] or periods[:1]
        if visit.visitor_status != in_force[-1].status:
            visit.visitor_status = in_force[-1].status
            visit.save(update_fields=["visitor_status"])
            site_days.add((visit.site_id, visit.day))
            changed += 1
    events.visits_changed(site_days)
    return changed
