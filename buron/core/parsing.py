"""Parse values typed by people or sent by programs, with errors in the user's language."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _


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
            params={"value": value},
        )
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
            params={"value": value},
        )
    if parsed.tzinfo is None:
        raise ValidationError(
            _("Give the time with its offset, e.g. 2027-03-02T09:00:00+01:00."),
            code="naive_datetime",
        )
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
            params={"value": value, "choices": ", ".join(choices)},
        )
    return value
