"""Amounts in euros as a reader of the active language writes them ({% load buron_money %})."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

from buron.core.money import format_eur

register = template.Library()


@register.filter
def euros(value: Decimal | int | str | None) -> str:
    """12.5 → « 12,50 € » in French, « €12.50 » in English; 10 → « 10 € » / « €10 »."""
    if value is None or value == "":
        return ""
    return format_eur(Decimal(value), language=translation.get_language() or "fr")
