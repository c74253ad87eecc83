"""Trainings in the admin: partners and their advisers, programmes with their modules, and
sessions, for each network's administrators. Sessions are scheduled (and cancelled) through
the training services, which hold the room and desks through the booking engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from buron.accounts.models import Organisation, User
from buron.accounts.requests import signed_in_user
from buron.backoffice.admin.money import money_column
from buron.backoffice.scope import ALL, VIEW, ScopedAdminMixin, ScopedInlineMixin, request_scope
from buron.places.models import Resource
from buron.training import services
from buron.training.errors import TrainingRefused
from buron.training.models import (
    Adviser,
    Enrolment,
    Module,
    PartnerOrganisation,
    Programme,
    Session,
    SurveyQuestion,
)


class _PartnersOfOwnNetwork:
    """Partner organisations offered in a form: only those of the person's networks."""

    def _partner_choices(self, request: HttpRequest) -> QuerySet[PartnerOrganisation]:
        scope = request_scope(request)
        if scope.everything:
            return PartnerOrganisation.objects.all()
        return PartnerOrganisation.objects.filter(network_id__in=scope.network_ids)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.related_model is PartnerOrganisation:
            kwargs["queryset"] = self._partner_choices(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.related_model is PartnerOrganisation:
            kwargs["queryset"] = self._partner_choices(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


def _user_by_email(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise ValidationError(_("No active account uses this email address."), code="no_user")
    return user


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(ScopedAdminMixin):
    """France Travail, training bodies and other funders a network works with."""

    list_display = ["name", "kind", "declaration_number", "billing_organisation", "network"]
    list_filter = ["kind"]
    search_fields = ["name"]
    network_admin_can = ALL
    scope_network_lookup = "network"

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.related_model is Organisation:
            scope = request_scope(request)
            organisations = Organisation.objects.all()
            if not scope.everything:
                organisations = organisations.filter(network_id__in=scope.network_ids)
            kwargs["queryset"] = organisations
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AdviserForm(forms.ModelForm[Adviser]):
    user_email = forms.EmailField(label=_("Adviser's account (email)"))

    class Meta:
        model = Adviser
        fields = ["organisation"]

    def clean_user_email(self) -> User:
        return _user_by_email(self.cleaned_data["user_email"])

    def save(self, commit: bool = True) -> Adviser:
        self.instance.user = self.cleaned_data["user_email"]
        return super().save(commit=commit)


@admin.register(Adviser)
class AdviserAdmin(_PartnersOfOwnNetwork, ScopedAdminMixin):
    """Who enrols learners on behalf of a partner organisation."""

    form = AdviserForm
    list_display = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    network_admin_can = ALL
    scope_network_lookup = "organisation__network"


class ModuleInline(ScopedInlineMixin, admin.TabularInline[Module, Programme]):
    model = Module
    extra = 1
    network_admin_can = ALL
    parent_site_lookup = None


class SurveyQuestionInline(ScopedInlineMixin, admin.TabularInline[SurveyQuestion, Programme]):
    """A programme's extra survey questions (rated 1 to 5, after the standard ones)."""

    model = SurveyQuestion
    extra = 0
    network_admin_can = ALL
    parent_site_lookup = None


@admin.register(Programme)
class ProgrammeAdmin(_PartnersOfOwnNetwork, ScopedAdminMixin):
    """A training programme as published on /formations/."""

    list_display = ["title", "is_published", "duration_hours", "price_money", "training_body"]
    price_money = money_column("price", Programme._meta.get_field("price").verbose_name)
    list_filter = ["is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["funders"]
    inlines = [ModuleInline, SurveyQuestionInline]
    network_admin_can = ALL
    scope_network_lookup = "network"


PERIODS = {"am": "am", "matin": "am", "pm": "pm", "apres-midi": "pm", "après-midi": "pm"}


class SessionScheduleForm(forms.ModelForm[Session]):
    """Schedule a session: the service holds its room and desks, or says why not."""

    trainer_email = forms.EmailField(label=_("Trainer's account (email)"))
    desks = forms.ModelMultipleChoiceField(
        queryset=Resource.objects.none(), required=False, label=_("Desks")
    )
    half_days = forms.CharField(
        label=_("Half-days"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: day, am or pm, start and end, e.g. 2027-03-02 am 09:00 12:30"),
    )

    class Meta:
        model = Session
        fields = [
            "programme",
            "site",
            "room",
            "capacity",
            "minimum",
            "registration_deadline",
            "what_to_bring",
        ]

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        desks: Any = self.fields["desks"]
        desks.queryset = self.fields["room"].queryset.filter(kind="desk")  # type: ignore[attr-defined]

    def clean_trainer_email(self) -> User:
        return _user_by_email(self.cleaned_data["trainer_email"])

    def clean_half_days(self) -> list[services.HalfDaySpec]:
        specs: list[services.HalfDaySpec] = []
        for number, raw in enumerate(self.cleaned_data["half_days"].splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                day, period, starts, ends = raw.split()
                specs.append(
                    services.HalfDaySpec(
                        dt.date.fromisoformat(day),
                        PERIODS[period.lower()],
                        dt.time.fromisoformat(starts),
                        dt.time.fromisoformat(ends),
                    )
                )
            except (ValueError, KeyError):
                raise ValidationError(
                    _("Line %(number)s is not “day am|pm start end”.") % {"number": number},
                    code="bad_line",
                ) from None
        return specs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or self.request is None:
            return data
        if data["room"].site_id != data["site"].pk:
            self.add_error("room", _("Choose an active room of this site."))
            return data
        try:
            self.scheduled = services.session_schedule(
                programme=data["programme"],
                room=data["room"],
                desks=list(data.get("desks") or []),
                half_days=data["half_days"],
                capacity=data["capacity"],
                minimum=data["minimum"],
                registration_deadline=data["registration_deadline"],
                trainer=data["trainer_email"],
                by=signed_in_user(self.request),
                what_to_bring=data.get("what_to_bring", ""),
            )
        except TrainingRefused as refused:
            if hasattr(refused, "error_dict"):
                for name, errors in refused.error_dict.items():
                    for error in errors:
                        self.add_error(name if name in self.fields else None, error)
            else:
                self.add_error(None, refused)
        return data


@admin.register(Session)
class SessionAdmin(ScopedAdminMixin):
    """Training sessions: scheduled here through the training services (which hold the room
    and desks), then read-only; the action cancels them (room released, learners told)."""

    list_display = ["programme", "site", "status", "capacity", "minimum", "registration_deadline"]
    list_filter = ["status", ("site", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["programme", "site"]
    actions = ["cancel_sessions", "invoice_funders"]
    network_admin_can = frozenset({VIEW, "add", "change"})
    scope_network_lookup = "network"
    scope_site_lookup = "site"

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.related_model is Programme:
            scope = request_scope(request)
            programmes = Programme.objects.all()
            if not scope.everything:
                programmes = programmes.filter(network_id__in=scope.network_ids)
            kwargs["queryset"] = programmes
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = SessionScheduleForm
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                "programme",
                "site",
                "room",
                "desks",
                "trainer_email",
                "half_days",
                "capacity",
                "minimum",
                "registration_deadline",
                "what_to_bring",
            ]
        return [
            "programme",
            "site",
            "room",
            "trainer",
            "capacity",
            "minimum",
            "registration_deadline",
            "what_to_bring",
            "status",
            "cancelled_at",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj) if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Open for viewing; a scheduled session is changed only by cancelling it.
        return super().has_change_permission(request, obj) and obj is None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.pk = form.scheduled.pk
            obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None

    @admin.action(description=_("Cancel the selected sessions (room released, learners told)"))
    def cancel_sessions(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        done = 0
        for session in queryset:
            try:
                services.session_cancel(session=session, by=signed_in_user(request))
            except TrainingRefused as refused:
                self.message_user(request, "; ".join(refused.messages), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d session cancelled.", "%(count)d sessions cancelled.", done)
                % {"count": done},
            )

    @admin.action(description=_("Invoice the funders of the selected sessions (each once)"))
    def invoice_funders(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        numbers: list[str] = []
        for session in queryset:
            try:
                made = services.session_invoice_funders(
                    session=session,
                    by=signed_in_user(request),
                )
            except TrainingRefused as refused:
                self.message_user(
                    request, f"{session}: {'; '.join(refused.messages)}", messages.ERROR
                )
            else:
                numbers.extend(m.invoice.number for m in made)
        if numbers:
            self.message_user(
                request, _("Invoices: %(numbers)s.") % {"numbers": ", ".join(numbers)}
            )


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdminMixin):
    """Enrolments, read-only: made and cancelled by learners and advisers."""

    list_display = ["learner", "session", "status", "organisation", "funding", "created_at"]
    list_filter = ["status", "funding"]
    list_select_related = ["learner", "session__programme", "session__site", "organisation"]
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "session__network"
    scope_site_lookup = "session__site"
