"""Forms of the operator's home: the member search and the walk-in's booking."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from buron.accounts.forms import CommuneField
from buron.accounts.models import User, VisitorStatus
from buron.booking.forms import BookForm


class MemberSearchForm(forms.Form):
    """Narrow the member list: all fields optional."""

    q = forms.CharField(label=_("Name or email"), max_length=100, required=False, strip=True)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *VisitorStatus.choices],
        required=False,
    )
    commune = forms.CharField(
        label=_("Commune"),
        max_length=100,
        required=False,
        strip=True,
        help_text=_("Its name, postal code or INSEE code."),
    )


class WalkInBookForm(BookForm):
    """A person without an account, and what to book for them: one step at the desk."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("When given, the person gets an invitation to choose a password."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *VisitorStatus.choices])
    employer_name = forms.CharField(
        label=_("Employer (salaried remote workers)"), max_length=200, required=False
    )
    commune = CommuneField(label=_("Commune of residence"))
    language = forms.ChoiceField(
        label=_("Language of their emails"),
        choices=settings.LANGUAGES,
        required=False,  # not sent: the language of this page
        help_text=_("The confirmation, the invitation and every later email."),
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "language",
        "status",
        "employer_name",
        "commune",
        "date",
        "kind",
        "resource",
        "period",
        "start_hour",
        "hours",
    ]

    existing: User | None = None

    @property
    def for_member(self) -> bool:
        """The host chose to book for the member whose address they typed (the second
        button, offered once the form said a member uses it)."""
        return self.is_bound and bool(self.data.get("for_member"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages["required"] = _("Choose the person's status.")
        self.fields["commune"].error_messages["required"] = _(
            "Give the person's commune of residence."
        )
        if self.for_member:
            # Booking for the member who holds the email: their record says who they are.
            for name in ("last_name", "status", "commune"):
                self.fields[name].required = False

    def clean_email(self) -> str:
        email: str = (self.cleaned_data.get("email") or "").strip().lower()
        if not email:
            return ""
        self.existing = User.objects.filter(email__iexact=email, is_active=True).first()
        if self.existing is not None and not self.for_member:
            raise ValidationError(
                _(
                    "A member already uses this address: book for that member instead "
                    "(button below), or give another address."
                ),
                code="member_exists",
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.for_member and self.existing is None:
            self.add_error("email", _("No active member account uses this address."))
        return data
