"""Why a booking could not be made."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


class BookingRefused(ValidationError):
    """A rule refuses the booking (closed, too far ahead, too many…): 422 in the API."""


@dataclass
class Alternative:
    site_slug: str
    site_name: str
    day: str
    period: str
    free: int


@dataclass
class SlotTaken(Exception):
    """What was asked was free a moment ago and is not any more: 409 in the API."""

    message: str
    alternatives: list[Alternative] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message
