"""What bookings hold about a member: their export, and what closing an account erases."""

from __future__ import annotations

from typing import Any

from buron.accounts.models import User

from ..models import Booking, BookingSeries


def member_bookings_export(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": b.pk,
            "site": b.site.slug,
            "resource": b.resource.name,
            "start": b.start.isoformat(),
            "end": b.end.isoformat(),
            "period": b.period,
            "status": b.status,
            "visitor_status": b.visitor_status,
            "employer_name": b.employer_name,
            "created_at": b.created_at.isoformat(),
        }
        for b in Booking.objects.filter(member=user)
        .select_related("site", "resource")
        .order_by("start")
    ]


def member_bookings_forget(user: User) -> None:
    """Bookings stay for statistics; the employer's name is personal, the status is not."""
    Booking.objects.filter(member=user).update(employer_name="", note="")
    BookingSeries.objects.filter(member=user).update(member=None)
