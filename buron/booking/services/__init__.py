"""Writes about bookings. Every write runs in one transaction; the database refuses a slot
held twice (see models.BookingSlot), the code never relies on a read-then-write check."""

from .blocks import BlockResult, resource_block
from .changes import booking_cancel, booking_move, can_manage
from .create import booking_create_half_day, booking_create_hours
from .departures import (
    bookings_vacate,
    closure_apply,
    member_bookings_vacate,
    resource_withdraw,
    site_withdraw,
)
from .privacy import (
    member_bookings_export,
    member_bookings_forget,
    member_bookings_made_export,
    member_bookings_restatus,
    member_series_export,
)
from .release import booking_release
from .rules import HALF_DAY_KINDS
from .series import MAX_SERIES_DAYS, Occurrence, SeriesResult, series_create

__all__ = [
    "HALF_DAY_KINDS",
    "MAX_SERIES_DAYS",
    "BlockResult",
    "Occurrence",
    "SeriesResult",
    "booking_cancel",
    "booking_create_half_day",
    "booking_create_hours",
    "booking_move",
    "booking_release",
    "bookings_vacate",
    "can_manage",
    "closure_apply",
    "member_bookings_export",
    "member_bookings_forget",
    "member_bookings_made_export",
    "member_bookings_restatus",
    "member_bookings_vacate",
    "member_series_export",
    "resource_block",
    "resource_withdraw",
    "series_create",
    "site_withdraw",
]
