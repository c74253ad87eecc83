from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from buron.places.communes import commune_lookup
from buron.places.models import Commune

from .models import User, VisitorStatus
from .phones import phone_normalized


class CommuneField(forms.CharField):
    """A commune typed as a name, a postal code or an INSEE code, resolved to one commune."""

    default_error_messages = {
        "unknown": _("No commune matches “%(value)s”. Type its name or its postal code."),
        "ambiguous": _(
            "Several communes match “%(value)s”: %(choices)s. Add the postal code, "
            "for example “%(example)s”."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 120)
        kwargs.setdefault(
            "help_text", _("Its name, postal code or INSEE code, e.g. “Murat (15300)”.")
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Commune | None:
        text = super().clean(value)
        if not text:
            return None
        found = commune_lookup(text)
        exact = [c for c in found if c.insee_code == text.upper()]
        if exact:
            return exact[0]
        if not found:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={
                    "value": text,
                    "choices": ", ".join(f"{c.name} ({c.postal_code})" for c in found[:8]),
                    "example": f"{found[0].name} ({found[0].postal_code})",
                },
            )
        return found[0]


class StatusFields(forms.Form):
    status = forms.ChoiceField(label=_("I am"), choices=VisitorStatus.choices)
    employer_name = forms.CharField(
        label=_("Employer"),
        max_length=200,
        required=False,
        help_text=_("Required for a salaried remote worker."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") == VisitorStatus.SALARIED_REMOTE
            and not (data.get("employer_name") or "").strip()
        ):
            self.add_error("employer_name", _("A salaried remote worker names their employer."))
        return data


class MemberSignupForm(StatusFields):
    """The extra questions of the sign-up form (allauth adds email and password)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    commune = CommuneField(label=_("Commune of residence"))

    field_order = ["first_name", "last_name", "status", "employer_name", "commune"]

    def signup(self, request: HttpRequest, user: User) -> None:
        """Called by allauth once it has created the account with its email and password."""
        from .services import member_signup_complete

        data = self.cleaned_data
        member_signup_complete(
            user=user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            commune=data["commune"],
            status=data["status"],
            employer_name=data.get("employer_name", ""),
        )


# How far from today a status change may start: a year back (to correct what was counted),
# a year ahead (to announce a change).
STATUS_DAYS_BACK = 366
STATUS_DAYS_AHEAD = 366


def status_date_bounds(*, today: dt.date, joined: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a member's status change may start: not before the account
    existed nor more than a year back, not more than a year ahead."""
    first = max(joined, today - dt.timedelta(days=STATUS_DAYS_BACK))
    return min(first, today), today + dt.timedelta(days=STATUS_DAYS_AHEAD)


class StatusChangeForm(StatusFields):
    valid_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, first_day: dt.date, last_day: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_day, self.last_day = first_day, last_day
        field = self.fields["valid_from"]
        field.widget.attrs.update({"min": first_day.isoformat(), "max": last_day.isoformat()})
        field.help_text = _("Between %(first)s and %(last)s.") % {
            "first": date_format(first_day, "DATE_FORMAT"),
            "last": date_format(last_day, "DATE_FORMAT"),
        }

    def clean_valid_from(self) -> dt.date:
        day: dt.date = self.cleaned_data["valid_from"]
        if day < self.first_day:
            raise ValidationError(
                _("A change can start on %(first)s at the earliest."),
                code="too_early",
                params={"first": date_format(self.first_day, "DATE_FORMAT")},
            )
        if day > self.last_day:
            raise ValidationError(
                _("A change can start on %(last)s at the latest."),
                code="too_late",
                params={"last": date_format(self.last_day, "DATE_FORMAT")},
            )
        return day


class StatusRemoveForm(forms.Form):
    valid_from = forms.DateField(widget=forms.HiddenInput)


class PhoneField(forms.CharField):
    """A phone number: French formats, or any country as +international."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", _("For example “06 12 34 56 78” or “+32 470 12 34 56”."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"type": "tel", "autocomplete": "tel"})

    def clean(self, value: Any) -> str:
        return phone_normalized(super().clean(value) or "")


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    commune = CommuneField(label=_("Commune of residence"))
    work_commune = CommuneField(
        label=_("Commune of your usual workplace"),
        required=False,
        help_text=_(
            "Optional: where you would work otherwise. It gives the commuting a visit avoids."
        ),
    )
    phone = PhoneField(label=_("Phone"), required=False)


class EmailPreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of my emails"), choices=settings.LANGUAGES)
    reminders = forms.BooleanField(
        label=_("A reminder the day before each booking"), required=False
    )
    confirmations = forms.BooleanField(
        label=_("A confirmation of each booking or cancellation I make"), required=False
    )
