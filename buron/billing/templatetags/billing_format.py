"""Amounts and quantities as a reader of the active language expects them."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

from buron.core.money import format_eur

register = template.Library()


@register.filter
def eur(value: Decimal) -> str:
    """12.5 → « 12,50 € » in French, « €12.50 » in English; 150 → « 150,00 € »."""
    return format_eur(Decimal(value), language=translation.get_language() or "fr", cents=True)


@register.filter
def quantity(value: Decimal) -> str:
    """A quantity or a rate without useless zeros: 2.000 → 2, 5.50 → 5,5."""
    text = f"{Decimal(value).normalize():f}"
    if (translation.get_language() or "fr").startswith("fr"):
        text = text.replace(".", ",")
    return text
