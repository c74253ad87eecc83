"""The period of an accounting export or a staff list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from buron.accounts.models import Organisation

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


class BuyForm(forms.Form):
    """A member buys one offer online: how many, how they pay, and for whom."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=20, initial=1)
    method = forms.ChoiceField(label=_("How I pay"), widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Invoice to"),
        empty_label=_("Myself"),
        help_text=_("An organisation you manage is invoiced with its SIREN, prices excl. VAT."),
    )

    def __init__(
        self,
        *args: Any,
        methods: list[tuple[str, str]],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        method = self.fields["method"]
        if isinstance(method, forms.ChoiceField):
            method.choices = methods
            method.initial = methods[0][0] if methods else None
        organisation = self.fields["organisation"]
        if isinstance(organisation, forms.ModelChoiceField):
            organisation.queryset = organisations
        if not organisations.exists():
            del self.fields["organisation"]
