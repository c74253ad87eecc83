"""Tell the member what happened to a booking: moved, or cancelled (by them or a host).

Each notice is a background task queued like the confirmation (see create.confirm_by_email):
in the database's queue it commits or rolls back with the change itself."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import get_language
from django_tasks_db import DatabaseBackend

from buron.accounts.models import User

from .. import tasks
from ..models import Booking


def _queue(send: Callable[[], object]) -> None:
    if isinstance(tasks.booking_notice_send.get_backend(), DatabaseBackend):
        send()
    else:
        transaction.on_commit(send)


def booking_moved_record(*, old: Booking, new: Booking) -> None:
    """Remember that `old` was moved to `new` (the member's history says so) and email the
    member where they now sit."""
    old.moved_to = new
    old.save(update_fields=["moved_to"])
    if new.member_id is None:
        return
    language = get_language() or "fr"
    _queue(
        lambda: tasks.booking_notice_send.enqueue(
            booking_id=old.pk, notice=tasks.MOVED, language=language
        )
    )


def booking_cancelled_notify(*, booking: Booking, by: User) -> None:
    """Email the member that their booking is cancelled: by themselves (a confirmation
    they may turn off) or by a host (always sent)."""
    if booking.member_id is None:
        return
    notice = tasks.CANCELLED_BY_MEMBER if by.pk == booking.member_id else tasks.CANCELLED_BY_HOST
    language = get_language() or "fr"
    _queue(
        lambda: tasks.booking_notice_send.enqueue(
            booking_id=booking.pk, notice=notice, language=language
        )
    )
