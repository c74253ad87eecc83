"""Forms of the booking pages: they parse what people type; the services decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buron.accounts.models import User
from buron.core.dates import format_date
from buron.core.parsing import EARLIEST, LATEST, is_slug
from buron.employers.selectors import PayerOption, payer_options
from buron.employers.services import PAYER_EMPLOYER, PAYER_MEMBER
from buron.places.models import BookingUnit, Resource, ResourceKind, Site, Weekday
from buron.places.selectors import published_sites

from .models import Period
from .selectors import longest_run, room_hours
from .slots import local_datetime

MAX_SEARCH_DAYS = 14
MAX_HOURS = 10

PERIOD_CHOICES = [
    (Period.MORNING.value, Period.MORNING.label),
    (Period.AFTERNOON.value, Period.AFTERNOON.label),
    (Period.DAY.value, Period.DAY.label),
]
HALF_DAY_KIND_CHOICES = [
    (ResourceKind.DESK.value, ResourceKind.DESK.label),
    (ResourceKind.PRIVATE_OFFICE.value, ResourceKind.PRIVATE_OFFICE.label),
]
HOUR_CHOICES = [("", "—")] + [(h, f"{h:02d}:00") for h in range(24)]
LENGTH_CHOICES = [("", "—")] + [(n, str(n)) for n in range(1, MAX_HOURS + 1)]

# Where the services put their messages, and the field of these forms that shows them.
SERVICE_FIELDS = {"date": "date", "start": "start_hour", "end": "hours"}


def add_refusal(form: forms.Form, refusal: ValidationError) -> None:
    """Show a service's refusal on the form: each message on its field when the form has
    it, else at the top of the form."""
    if hasattr(refusal, "error_dict"):
        for name, errors in refusal.error_dict.items():
            field = SERVICE_FIELDS.get(name, name)
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, refusal)


def shifted_day(day: dt.date, days: int) -> dt.date | None:
    """The day `days` after (or before) `day`, or None when that leaves the accepted days."""
    if not EARLIEST <= day <= LATEST:
        return None
    shifted = day + dt.timedelta(days=days)
    return shifted if EARLIEST <= shifted <= LATEST else None


def _day_given(value: object) -> dt.date | None:
    """The day a form was given (a date, or its ISO text), to narrow its choices; None when
    it is not one (the field's own validation then says why)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return None
        return day if EARLIEST <= day <= LATEST else None
    return None


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    """A form's model choice field, to narrow its queryset to what the page offers."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"min": EARLIEST.isoformat(), "max": LATEST.isoformat(), **(attrs or {})},
            format="%Y-%m-%d",
        )


class DayField(forms.DateField):
    """A day between EARLIEST and LATEST (the days the API accepts too: a day a few weeks
    on is then still a date, which 9999-12-31 plus a week is not)."""

    widget = DateInput
    default_error_messages = {
        "date_out_of_range": _("Choose a date between %(first)s and %(last)s."),
    }

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not EARLIEST <= value <= LATEST:
            raise ValidationError(
                self.error_messages["date_out_of_range"],
                code="date_out_of_range",
                params={
                    "first": format_date(EARLIEST),
                    "last": format_date(LATEST),
                },
            )


class SiteField(forms.ModelChoiceField[Site]):
    """A published site, chosen by its short name (the value sent by the form)."""

    default_error_messages = {
        "invalid_choice": _("No site of the network has this name: choose one from the list."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Site"))
        super().__init__(queryset=published_sites(), to_field_name="slug", **kwargs)

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not is_slug(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ResourceField(forms.ModelChoiceField[Resource]):
    def label_from_instance(self, obj: Resource) -> str:
        return f"{obj.label} ({obj.get_kind_display().lower()})"


class SearchForm(forms.Form):
    """What a member looks for: a day (or a few), a period, a kind of resource."""

    date = DayField(label=_("Day"))
    until = DayField(
        label=_("Until (optional)"),
        required=False,
        help_text=_("To see up to 14 days at a glance."),
    )
    period = forms.ChoiceField(
        label=_("When"), choices=PERIOD_CHOICES, widget=forms.RadioSelect, initial=Period.DAY
    )
    kind = forms.ChoiceField(
        label=_("What"),
        choices=ResourceKind.choices,
        widget=forms.RadioSelect,
        initial=ResourceKind.DESK,
    )
    site = SiteField(required=False, empty_label=_("All sites"))
    near = forms.BooleanField(
        label=_("Nearest to my commune first"),
        required=False,
        help_text=_("Uses the commune of residence of your profile; distances as the crow flies."),
    )

    def __init__(self, *args: Any, has_commune: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_commune = has_commune

    def clean_near(self) -> bool:
        near = bool(self.cleaned_data.get("near"))
        if near and not self.has_commune:
            raise ValidationError(
                _("Your profile has no commune of residence yet: add it to your profile first."),
                code="no_commune",
            )
        return near

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, until = data.get("date"), data.get("until")
        if start and until:
            if until < start:
                self.add_error("until", _("The last day must come after the first."))
            elif (until - start).days >= MAX_SEARCH_DAYS:
                self.add_error(
                    "until",
                    _("Choose at most %(days)s days, e.g. until %(last)s.")
                    % {
                        "days": MAX_SEARCH_DAYS,
                        "last": format_date(start + dt.timedelta(days=MAX_SEARCH_DAYS - 1)),
                    },
                )
        return data

    def days(self) -> int:
        start, until = self.cleaned_data["date"], self.cleaned_data.get("until")
        return (until - start).days + 1 if until else 7


def payer_field(payers: Sequence[PayerOption]) -> forms.ChoiceField:
    """Who pays, for a member one or more employers may pay for: their remembered choice
    first selected."""
    default = next((p.value for p in payers if p.pays_by_default), "member")
    return forms.ChoiceField(
        label=_("Who pays"),
        choices=[
            *((p.value, _("%(employer)s (my employer)") % {"employer": p.name}) for p in payers),
            ("member", _("Myself (my rights, or at the published price)")),
        ],
        initial=default,
        help_text=_("Your choice is remembered for your next bookings."),
    )


class BookForm(forms.Form):
    """One booking: a desk or office for a half-day or a day (a free one is assigned unless
    one is chosen), or a room for whole hours."""

    site = SiteField()
    date = DayField(label=_("Day"))
    kind = forms.ChoiceField(
        label=_("What"), choices=ResourceKind.choices, initial=ResourceKind.DESK
    )
    period = forms.ChoiceField(
        label=_("When"), choices=PERIOD_CHOICES, required=False, widget=forms.RadioSelect
    )
    resource = ResourceField(
        label=_("Desk, office or room"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=_("Any free one"),
    )
    start_hour = forms.TypedChoiceField(
        label=_("From (rooms)"), choices=HOUR_CHOICES, coerce=int, required=False, empty_value=None
    )
    hours = forms.TypedChoiceField(
        label=_("Number of hours (rooms)"),
        choices=LENGTH_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(
        self,
        *args: Any,
        site: Site | None = None,
        now: dt.datetime | None = None,
        payers: Sequence[PayerOption] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_site = site
        if payers:
            self.fields["payer"] = payer_field(payers)
        if site is not None:
            del self.fields["site"]
            self.fields["kind"].required = False
        given = self.data if self.is_bound else self.initial
        slug = site.slug if site else given.get("site")
        resources = Resource.objects.filter(is_active=True).select_related("site__network")
        offered = (
            list(
                resources.filter(site__slug=slug, site__is_published=True).order_by("kind", "name")
            )
            if is_slug(slug)
            else []
        )
        _choices(self, "resource").queryset = resources.filter(pk__in=[r.pk for r in offered])
        if offered:
            self._offer_only(offered, day=_day_given(given.get("date")), now=now)

    def _offer_only(
        self, offered: list[Resource], *, day: dt.date | None, now: dt.datetime | None
    ) -> None:
        """Offer only the kinds of space the site has, and for its rooms the hours it can be
        booked for that day (the definition of bookable) and the lengths that fit in them."""
        kinds = {r.kind for r in offered}
        kind_field = self.fields["kind"]
        if isinstance(kind_field, forms.ChoiceField):
            kind_field.choices = [(k, label) for k, label in ResourceKind.choices if k in kinds]
        rooms = [r for r in offered if r.booking_unit == BookingUnit.HOUR]
        if not rooms:
            del self.fields["start_hour"], self.fields["hours"]
            return
        hours = room_hours(site=rooms[0].site, day=day, now=now or timezone.now())
        start_field, length_field = self.fields["start_hour"], self.fields["hours"]
        if isinstance(start_field, forms.ChoiceField):
            start_field.choices = [("", "—")] + [(h, f"{h:02d}:00") for h in hours]
        if isinstance(length_field, forms.ChoiceField):
            length_field.choices = [("", "—")] + [
                (n, str(n)) for n in range(1, longest_run(hours) + 1)
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        resource: Resource | None = data.get("resource")
        if resource is not None:
            data["kind"] = resource.kind
        kind = data.get("kind") or ResourceKind.DESK
        data["kind"] = kind
        if self.is_hourly:
            start, length = data.get("start_hour"), data.get("hours")
            if start is None and "start_hour" not in self.errors:
                self.add_error("start_hour", _("Choose the hour the room is needed from."))
            if length is None and "hours" not in self.errors:
                self.add_error("hours", _("Choose for how many hours."))
            if start is not None and length is not None and start + length > 24:
                self.add_error("hours", _("A room is booked within one day."))
        elif kind not in dict(HALF_DAY_KIND_CHOICES):
            self.add_error("resource", _("Choose the room to book."))
        elif not data.get("period"):
            self.add_error("period", _("Choose morning, afternoon or full day."))
        return data

    def chosen_site(self) -> Site:
        return self.fixed_site or self.cleaned_data["site"]

    @property
    def is_hourly(self) -> bool:
        resource = self.cleaned_data.get("resource")
        return resource is not None and resource.booking_unit == BookingUnit.HOUR

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        """The start and end of a room booking, in the site's time zone."""
        data = self.cleaned_data
        start = local_datetime(
            data["date"], dt.time(data["start_hour"]), self.chosen_site().network.time_zone
        )
        return start, start + dt.timedelta(hours=data["hours"])


def _active_member(email: object) -> User | None:
    """The active member using this address (any case), or None."""
    if not isinstance(email, str) or not email.strip() or len(email) > 254:
        return None
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def host_payer_field(member: User | None, payers: Sequence[PayerOption]) -> forms.CharField:
    """Who pays, as a host chooses it for a member: the member's usual choice, one of the
    employers that may pay for them (the member page's options), or the member. Before the
    member is known, their employer is offered without its name."""
    usual = next((p.name for p in payers if p.pays_by_default), None)
    usual_label: str
    employers: list[tuple[str, str]]
    if member is None:
        usual_label = str(_("As the member usually chooses"))
        employers = [(PAYER_EMPLOYER, str(_("Their employer, under its contract")))]
    else:
        usual_label = str(_("As the member usually chooses: %(payer)s")) % {
            "payer": usual or _("the member")
        }
        employers = [
            (p.value, str(_("%(employer)s (their employer)")) % {"employer": p.name})
            for p in payers
        ]
    return forms.CharField(
        label=_("Who pays"),
        required=False,
        max_length=40,
        widget=forms.Select(
            choices=[
                ("", usual_label),
                *employers,
                (PAYER_MEMBER, str(_("The member (their rights, or the published price)"))),
            ]
        ),
        help_text=_(
            "An employer pays under its contract (sites allowed, days a month); the "
            "choice made here is for this booking only: the member's usual one stays."
        ),
    )


class HostPayerMixin(forms.Form):
    """A host's form for a member found by their email address, with who pays for them.

    The payer offered and accepted are the member's employers as the member page offers
    them (employers.selectors.payer_options); the contract's own limits (sites, days a
    month) are the booking's to check."""

    email = forms.EmailField(label=_("Member's email address"))

    member: User | None = None
    payers: Sequence[PayerOption] = ()
    _found: User | None = None

    def _add_payer(self, *, today: dt.date) -> None:
        """Find the member as the email field will clean the address (once: clean_email
        keeps what is found here), and offer who may pay for them."""
        given = self.data if self.is_bound else self.initial
        try:  # the options of a member found by a valid address only (clean_email says why not)
            email = self.fields["email"].clean(given.get("email"))
        except ValidationError:
            email = None
        self._found = _active_member(email)
        self.payers = payer_options(member=self._found, today=today) if self._found else []
        self.fields["payer"] = host_payer_field(self._found, self.payers)

    def clean_email(self) -> str:
        # The same bound address, cleaned by the same field: the member _add_payer found.
        self.member = self._found
        if self.member is None:
            # Said the same way whether the address is unknown or its account closed.
            raise ValidationError(
                _("No active member account uses this address."), code="unknown_member"
            )
        return self.member.email

    def clean_payer(self) -> str:
        value: str = self.cleaned_data.get("payer") or ""
        offered = {"", PAYER_MEMBER, PAYER_EMPLOYER, *(p.value for p in self.payers)}
        if value not in offered:
            raise ValidationError(
                _("Choose who pays among the options offered."), code="invalid_payer"
            )
        if value == PAYER_EMPLOYER and self.member is not None and not self.payers:
            raise ValidationError(
                _("No employer pays for this member under a contract: choose the member."),
                code="no_employer",
            )
        return value


class HostBookForm(HostPayerMixin, BookForm):
    """A host books for a member of the network, found by their email address, and says
    who pays."""

    field_order = ["email", "date", "kind", "resource", "period", "start_hour", "hours", "payer"]

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_payer(today=today or timezone.localdate())


class SeriesForm(forms.Form):
    """The same half-day on some weekdays between two dates."""

    site = SiteField()
    kind = forms.ChoiceField(
        label=_("What"),
        choices=HALF_DAY_KIND_CHOICES,
        widget=forms.RadioSelect,
        initial=ResourceKind.DESK,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Every"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    period = forms.ChoiceField(
        label=_("When"), choices=PERIOD_CHOICES, widget=forms.RadioSelect, initial=Period.DAY
    )
    start_date = DayField(label=_("From"))
    end_date = DayField(label=_("Until"))

    def __init__(self, *args: Any, payers: Sequence[PayerOption] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if payers:
            self.fields["payer"] = payer_field(payers)


class HostSeriesForm(HostPayerMixin, SeriesForm):
    """A host books the same half-day on some weekdays at their site for a member, and says
    who pays for each day."""

    field_order = ["email", "kind", "weekdays", "period", "start_date", "end_date", "payer"]

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["site"]
        self._add_payer(today=today or timezone.localdate())


class DayForm(forms.Form):
    date = DayField(label=_("Day"), required=False)


class BlockForm(forms.Form):
    resource = ResourceField(label=_("Resource"), queryset=Resource.objects.none())
    start_date = DayField(label=_("First day blocked"))
    end_date = DayField(label=_("Last day blocked"))
    note = forms.CharField(
        label=_("Reason (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: “Screen replaced”. Shown to the site's staff only."),
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "resource").queryset = Resource.objects.filter(site=site).order_by(
            "kind", "name"
        )


class MoveForm(forms.Form):
    to = ResourceField(label=_("Move to"), queryset=Resource.objects.none())

    def __init__(self, *args: Any, options: list[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "to").queryset = Resource.objects.filter(
            pk__in=[r.pk for r in options]
        ).select_related("site")
