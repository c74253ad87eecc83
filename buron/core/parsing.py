"""Parse values typed by people or sent by programs, with errors in the user's language."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

# Dates people and programs may ask about: wide enough for any booking or statistic, narrow
# enough that date arithmetic never overflows.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)

# How much of a value an error message repeats: enough to recognise it, never a whole body.
ECHO_CHARS = 40


_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}\Z")


def is_slug(value: object) -> bool:
    """Whether a value could be a short name at all (a value that cannot is never looked
    up: a NUL or a megabyte of text would otherwise reach the database)."""
    return isinstance(value, str) and _SLUG.match(value) is not None


def echoed(value: object) -> str:
    """A value as an error message may repeat it: shortened, without control characters."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in str(value)[: ECHO_CHARS + 1])
    return text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…"


def _in_range(day: dt.date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
        )


def date_from_text(value: str | None, *, required: bool = True) -> dt.date | None:
    if value is None or not value.strip():
        if required:
            raise ValidationError(_("This field is required."), code="required")
        return None
    try:
        parsed = parse_date(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(
            _("“%(value)s” is not a date: use YYYY-MM-DD, e.g. 2027-03-02."),
            code="invalid_date",
            params={"value": echoed(value)},
        )
    _in_range(parsed)
    return parsed


def datetime_from_text(value: str | None) -> dt.datetime:
    if value is None or not value.strip():
        raise ValidationError(_("This field is required."), code="required")
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(
            _("“%(value)s” is not a date and time: use ISO 8601, e.g. 2027-03-02T09:00:00+01:00."),
            code="invalid_datetime",
            params={"value": echoed(value)},
        )
    if parsed.tzinfo is None:
        raise ValidationError(
            _("Give the time with its offset, e.g. 2027-03-02T09:00:00+01:00."),
            code="naive_datetime",
        )
    _in_range(parsed.date())
    return parsed


def choice_from_text(value: str | None, choices: list[str], *, default: str | None = None) -> str:
    if value is None or not value.strip():
        if default is not None:
            return default
        raise ValidationError(_("This field is required."), code="required")
    if value not in choices:
        raise ValidationError(
            _("“%(value)s” is not one of: %(choices)s."),
            code="invalid_choice",
            params={"value": echoed(value), "choices": ", ".join(choices)},
        )
    return value
