"""Formatting filters for the public pages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

from buron.core.money import format_eur

register = template.Library()


@register.filter
def eur(value: Decimal | int | str) -> str:
    """An amount in euros, written the way the active language writes it."""
    return format_eur(Decimal(value), language=get_language() or "fr")


@register.filter
def tel_href(value: str) -> str:
    """A phone number as a tel: link target (digits and a leading +)."""
    return "tel:" + re.sub(r"[^\d+]", "", value)


@register.filter
def time_ranges(periods: list[Any]) -> str:
    """Opening periods as “08:30–12:30, 13:30–18:00” (the same in every language)."""
    return ", ".join(f"{p.opens:%H:%M}–{p.closes:%H:%M}" for p in periods)
