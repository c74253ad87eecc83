"""Forms of check-in pages: each carries its check-in's UUID, so a form posted twice
records one visit."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from buron.accounts.forms import CommuneField
from buron.accounts.models import VisitorStatus
from buron.core.parsing import datetime_from_text


class CheckinIdForm(forms.Form):
    """The check-in's identifier, made when the page is shown (or by the phone's script)."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("client_uuid", uuid.uuid4())
        super().__init__(*args, **kwargs)


class MemberCheckinForm(CheckinIdForm):
    """A member's check-in: now, or when the phone recorded it offline (arrived_at)."""

    arrived_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_arrived_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("arrived_at") or ""
        if not value.strip():
            return None
        try:
            return datetime_from_text(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class HostCheckinForm(CheckinIdForm):
    """The host checks in the member of one of the day's bookings."""

    booking = forms.IntegerField(widget=forms.HiddenInput)


class WalkInForm(CheckinIdForm):
    """A visitor without a booking nor an account."""

    status = forms.ChoiceField(label=_("Visitor status"), choices=VisitorStatus.choices)
    commune = CommuneField(label=_("Commune of residence"))
    work_commune = CommuneField(label=_("Commune of usual workplace"), required=False)
