"""Forms of the offers pages: a sale at the desk."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buron.accounts.models import User
from buron.places.models import Site

from .models import Category, MailItemKind, Offer, PaymentMethod, ServiceKind

DESK_METHODS = [
    c for c in PaymentMethod.choices if c[0] not in (PaymentMethod.RENEWAL, PaymentMethod.CARD)
]


class SaleForm(forms.Form):
    """A host sells one offer of the site's catalogue to a member, paid one way."""

    email = forms.EmailField(label=_("Member's email address"))
    offer = forms.ModelChoiceField(queryset=Offer.objects.none(), label=_("Offer"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=50, initial=1)
    payment_method = forms.ChoiceField(label=_("Paid"), choices=DESK_METHODS)

    def __init__(self, *args: Any, offers: list[Offer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["offer"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = Offer.objects.filter(pk__in=[o.pk for o in offers])

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        member = User.objects.filter(email__iexact=email, is_active=True).first()
        if member is None:
            raise forms.ValidationError(_("No member has this email address."), code="unknown")
        return member


class ProofForm(forms.Form):
    """A member asks for a reduced price: the category, and the site where they will show
    the proof to a host."""

    category = forms.ChoiceField(label=_("I am"), choices=Category.choices)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site where I show it"))
    description = forms.CharField(label=_("Proof I will show"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = Site.objects.filter(is_published=True).order_by("name")


class ProofDecisionForm(forms.Form):
    """A host validates or refuses a pending proof of their site."""

    proof = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("validate", _("Validate")), ("refuse", _("Refuse"))])


QUOTA_SERVICES = [
    (k.value, k.label)
    for k in (ServiceKind.PRINTING, ServiceKind.MEETING_ROOM_HOURS, ServiceKind.VISIO_ROOM_HOURS)
]


class MemberEmailField(forms.EmailField):
    """A member's email address, cleaned to the active member who has it."""

    def clean(self, value: Any) -> User:
        email = super().clean(value)
        member = User.objects.filter(email__iexact=email, is_active=True).first()
        if member is None:
            raise forms.ValidationError(_("No member has this email address."), code="unknown")
        return member


class ServiceUseForm(forms.Form):
    """A host records a member's use of a pack at the desk: pages printed, room hours."""

    action = forms.CharField(widget=forms.HiddenInput, initial="use")
    email = MemberEmailField(label=_("Member's email address"))
    service = forms.ChoiceField(label=_("Service"), choices=QUOTA_SERVICES)
    quantity = forms.IntegerField(
        label=_("Quantity (pages or hours)"), min_value=1, max_value=1000, initial=1
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MailForm(forms.Form):
    """A host records mail received for a member domiciled at the site."""

    action = forms.CharField(widget=forms.HiddenInput, initial="mail")
    email = MemberEmailField(label=_("Member's email address"))
    kind = forms.ChoiceField(label=_("Kind"), choices=MailItemKind.choices)
    sender = forms.CharField(label=_("Sender"), max_length=200, required=False)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
