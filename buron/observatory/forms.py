"""The observatory's period and site choice (a GET form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from buron.places.models import Site

MAX_DAYS = 5 * 366


class PeriodForm(forms.Form):
    """A period of at most five years and, optionally, one of the sites in scope."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All my sites"),
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites.order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if end < start:
                self.add_error("end", _("The last day comes before the first."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Ask for %(days)s days at most.") % {"days": MAX_DAYS})
        return data
