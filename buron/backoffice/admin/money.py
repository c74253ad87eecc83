"""Amounts in the admin's lists as a reader of the page's language expects them: « 10,00 € »
in French, « €10.00 » in English (core.money.format_eur), never « 10.00 € »."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.utils.translation import get_language

from buron.core.money import format_eur


def money_column(field: str, label: Any) -> Callable[[Any, Any], str]:
    """A list column showing the model's `field` (a Decimal in euros) as money."""

    @admin.display(description=label, ordering=field)
    def column(self: Any, obj: Any) -> str:
        value: Decimal | None = getattr(obj, field)
        if value is None:
            return "—"
        return format_eur(value, language=get_language() or "fr", cents=True)

    column.__name__ = f"{field}_money"
    return column
