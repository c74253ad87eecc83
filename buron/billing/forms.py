"""The period of an accounting export or a staff list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PaymentMethod

OFFLINE_METHODS = (
    PaymentMethod.DESK,
    PaymentMethod.TRANSFER,
    PaymentMethod.CHEQUE,
    PaymentMethod.PUBLIC_CASH_OFFICE,
)

MAX_PERIOD_DAYS = 366 * 2


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes after the start."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", _("A period lasts two years at most."))
        return data


class PaymentForm(forms.Form):
    """A payment received at the desk, by transfer, by cheque or at the public cash office."""

    amount = forms.DecimalField(
        label=_("Amount (€)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    method = forms.ChoiceField(
        label=_("Way of paying"),
        choices=[(m.value, m.label) for m in OFFLINE_METHODS],
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(
        label=_("Reference (cheque or transfer number)"), max_length=100, required=False
    )
