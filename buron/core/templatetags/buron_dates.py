"""Template filters writing days and times the one way of each language (buron.core.dates).

Loaded everywhere (a built-in of the template engine): `{{ booking.start|day }}`,
`|day_short`, `|day_no_year`, `|long_date`, `|moment`, `|hm`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from buron.core import dates

register = template.Library()


def _or_empty(value: Any) -> bool:
    return not isinstance(value, dt.date | dt.time)


@register.filter(expects_localtime=True)
def day(value: Any) -> str:
    return "" if _or_empty(value) else dates.format_day(value)


@register.filter(expects_localtime=True)
def day_short(value: Any) -> str:
    return "" if _or_empty(value) else dates.format_day(value, short=True)


@register.filter(expects_localtime=True)
def day_no_year(value: Any) -> str:
    return "" if _or_empty(value) else dates.format_day(value, year=False)


@register.filter(expects_localtime=True)
def long_date(value: Any) -> str:
    return "" if _or_empty(value) else dates.format_date(value)


@register.filter(expects_localtime=True)
def moment(value: Any) -> str:
    return "" if _or_empty(value) else dates.format_moment(value)


@register.filter(expects_localtime=True)
def hm(value: Any) -> str:
    return "" if _or_empty(value) else dates.format_time(value)


@register.filter(expects_localtime=True)
def day_month(value: Any) -> str:
    """ "1er décembre" / "1 December"."""
    return "" if _or_empty(value) else dates.format_date(value, year=False)


@register.filter(expects_localtime=True)
def day_abbr(value: Any) -> str:
    """ "mar. 1er décembre" / "Tue 1 December"."""
    return "" if _or_empty(value) else dates.format_day(value, short=True, year=False)
