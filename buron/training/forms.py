"""Forms of the training pages: they parse and validate input, the services decide."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Funding, PartnerOrganisation, Presence, Session, SessionHalfDay


def add_refusal(form: forms.Form, refusal: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has it."""
    if hasattr(refusal, "error_dict"):
        for name, errors in refusal.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, refusal)


class AdviserEnrolForm(forms.Form):
    """An adviser enrols a job seeker in a session."""

    session = forms.ModelChoiceField(queryset=Session.objects.none(), label=_("Session"))
    organisation = forms.ModelChoiceField(
        queryset=PartnerOrganisation.objects.none(), label=_("On behalf of")
    )
    email = forms.EmailField(label=_("Job seeker's email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    france_travail_id = forms.CharField(
        label=_("France Travail identifier"),
        max_length=11,
        help_text=_("8 or 11 characters, e.g. 1234567A."),
    )
    funding = forms.ChoiceField(choices=Funding.choices, label=_("Funding"), initial=Funding.AIF)
    funder = forms.ModelChoiceField(
        queryset=PartnerOrganisation.objects.none(), label=_("Funder"), required=False
    )

    def __init__(
        self,
        *args: Any,
        sessions: Any,
        organisations: list[PartnerOrganisation],
        funders: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        session_field: Any = self.fields["session"]
        session_field.queryset = sessions
        session_field.label_from_instance = _session_label
        organisation_field: Any = self.fields["organisation"]
        organisation_field.queryset = PartnerOrganisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        funder_field: Any = self.fields["funder"]
        funder_field.queryset = funders


def _session_label(session: Session) -> str:
    first = session.half_days.order_by("starts_at").first()
    when = ""
    if first is not None:
        local = first.starts_at.astimezone(zoneinfo.ZoneInfo(session.network.time_zone))
        when = local.strftime("%d/%m/%Y")
    return f"{session.programme.title} — {session.site.name} — {when}"


class SignForm(forms.Form):
    """A learner's or trainer's drawn signature (a PNG data URL written by the canvas)."""

    signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300_000)


class CodeForm(forms.Form):
    """The one-time code emailed to the learner."""

    code = forms.CharField(
        label=_("Code received by email"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class AbsentForm(forms.Form):
    """The trainer notes a learner absent."""

    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for absence"), max_length=200, required=False)


class TimesForm(forms.Form):
    """The trainer notes a late arrival or an early departure (local times)."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    arrived = forms.TimeField(
        label=_("Arrived at"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    left = forms.TimeField(
        label=_("Left at"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def times(self, half_day: SessionHalfDay, tz: str) -> tuple[dt.datetime | None, ...]:
        zone = zoneinfo.ZoneInfo(tz)
        return tuple(
            dt.datetime.combine(half_day.day, value, tzinfo=zone) if value else None
            for value in (self.cleaned_data.get("arrived"), self.cleaned_data.get("left"))
        )


class CorrectionForm(TimesForm):
    """A correction recorded beside a signed line or a final sheet."""

    presence = forms.ChoiceField(
        label=_("Presence"), choices=[("", "—"), *Presence.choices], required=False
    )
    reason = forms.CharField(label=_("Why"), max_length=500)


class StatementForm(forms.Form):
    """The month of a funder's attendance statement."""

    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


RATING_CHOICES = [
    (1, _("1 — very dissatisfied")),
    (2, _("2 — dissatisfied")),
    (3, _("3 — neither")),
    (4, _("4 — satisfied")),
    (5, _("5 — very satisfied")),
]


class SurveyForm(forms.Form):
    """A survey's questions, each rated 1 to 5, and a free comment."""

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [item.code for item in items]
        for item in items:
            self.fields[item.code] = forms.TypedChoiceField(
                label=item.text,
                choices=RATING_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Rate this question from 1 to 5."),
                    "invalid_choice": _("A rating goes from 1 to 5."),
                },
            )
        self.fields["comment"] = forms.CharField(
            label=_("Comments (optional)"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def ratings(self) -> dict[str, object]:
        return {code: self.cleaned_data[code] for code in self.codes}
