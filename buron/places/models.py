"""The network of places: the operator, its sites, their resources and calendars."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buron.core.i18n import localized

from .validators import (
    validate_coordinates_in_france,
    validate_insee_code,
    validate_postal_code,
    validate_siret,
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Network(models.Model):
    """The operator of a network of third places (a département's office, a federation…)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    siret = models.CharField(_("SIRET"), max_length=17, blank=True, validators=[validate_siret])
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    is_demo = models.BooleanField(
        _("demo network"), default=False, help_text=_("Shows a “demo data” notice on every page.")
    )

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Amenity(models.Model):
    """Something a site offers beside desk time: printer, kitchen, parking, shower…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Commune(models.Model):
    """A French commune from the official geographic code (reference data, read-only)."""

    insee_code = models.CharField(
        _("INSEE code"), max_length=5, primary_key=True, validators=[validate_insee_code]
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    department = models.CharField(_("département"), max_length=3, db_index=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.postal_code or self.department})"


class SiteKind(models.TextChoices):
    TELECENTRE = "telecentre", _("Telecentre")
    ANNEX = "annex", _("Annex")


class Site(models.Model):
    """A third place of the network: a telecentre, or an annex attached to one."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="sites", verbose_name=_("network")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SiteKind.choices, default=SiteKind.TELECENTRE
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annexes",
        verbose_name=_("annex of"),
        help_text=_("For an annex: the telecentre it depends on."),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name (in addresses)"), max_length=80, unique=True)
    is_published = models.BooleanField(_("published"), default=True)

    commune_name = models.CharField(_("commune"), max_length=100)
    insee_code = models.CharField(_("INSEE code"), max_length=5, validators=[validate_insee_code])
    address = models.CharField(_("street address"), max_length=255)
    postal_code = models.CharField(
        _("postal code"), max_length=5, validators=[validate_postal_code]
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    access_fr = models.TextField(_("how to get there (French)"), blank=True)
    access_en = models.TextField(_("how to get there (English)"), blank=True)
    amenities = models.ManyToManyField(
        Amenity, blank=True, related_name="sites", verbose_name=_("amenities")
    )

    has_fibre = models.BooleanField(_("fibre connection"), default=False)
    download_mbps = models.PositiveIntegerField(
        _("download (Mbit/s)"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    upload_mbps = models.PositiveIntegerField(
        _("upload (Mbit/s)"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )

    step_free_access = models.BooleanField(
        _("accessible to people with reduced mobility"), default=False
    )
    accessibility_fr = models.TextField(_("accessibility details (French)"), blank=True)
    accessibility_en = models.TextField(_("accessibility details (English)"), blank=True)

    host_name = models.CharField(_("host's name"), max_length=200, blank=True)
    host_email = models.EmailField(_("host's email"), blank=True)
    host_phone = models.CharField(_("host's phone"), max_length=30, blank=True)

    photo = models.ImageField(_("photo"), upload_to="sites/", blank=True)
    photo_alt_fr = models.CharField(_("photo description (French)"), max_length=200, blank=True)
    photo_alt_en = models.CharField(_("photo description (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        indexes = [models.Index(fields=["network", "is_published"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="annex", parent__isnull=False)
                | Q(kind="telecentre", parent__isnull=True),
                name="site_annex_has_parent",
                violation_error_message=_(
                    "An annex must name the telecentre it depends on; a telecentre must not."
                ),
            ),
            models.CheckConstraint(
                condition=Q(download_mbps__isnull=True) | Q(download_mbps__gt=0),
                name="site_download_positive",
            ),
            models.CheckConstraint(
                condition=Q(upload_mbps__isnull=True) | Q(upload_mbps__gt=0),
                name="site_upload_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            validate_coordinates_in_france(self.latitude, self.longitude)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(ValidationError(m) for m in messages)
        if self.kind == SiteKind.ANNEX:
            if self.parent_id is None:
                errors.setdefault("parent", []).append(
                    ValidationError(_("An annex must name the telecentre it depends on."))
                )
            elif self.parent is not None:
                if self.parent.kind != SiteKind.TELECENTRE:
                    errors.setdefault("parent", []).append(
                        ValidationError(_("An annex depends on a telecentre, not on an annex."))
                    )
                if self.network_id and self.parent.network_id != self.network_id:
                    errors.setdefault("parent", []).append(
                        ValidationError(_("An annex depends on a telecentre of its own network."))
                    )
        elif self.parent_id is not None:
            errors.setdefault("parent", []).append(
                ValidationError(_("Only an annex depends on another site."))
            )
        if (
            self.upload_mbps is not None
            and self.download_mbps is not None
            and self.upload_mbps > self.download_mbps * 10
        ):
            errors.setdefault("upload_mbps", []).append(
                ValidationError(_("The upload speed looks wrong: check download and upload."))
            )
        if (
            self.postal_code
            and self.insee_code[:2].isdigit()
            and self.postal_code[:2] != self.insee_code[:2]
            and self.insee_code[:2] not in {"97", "98"}
        ):
            errors.setdefault("postal_code", []).append(
                ValidationError(
                    _("The postal code is not in the same département as the INSEE code.")
                )
            )
        if errors:
            raise ValidationError(errors)

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def access(self) -> str:
        return localized(self, "access")

    @property
    def accessibility(self) -> str:
        return localized(self, "accessibility")

    @property
    def photo_alt(self) -> str:
        return localized(self, "photo_alt")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class HalfDay(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


# A morning ends by 14:00 and an afternoon starts from 11:00, so that the two half-days
# of a day stay in order and "morning" keeps its meaning.
MORNING_LATEST_CLOSE = dt.time(14, 0)
AFTERNOON_EARLIEST_OPEN = dt.time(11, 0)


class OpeningPeriod(models.Model):
    """A site is open on a weekday's morning or afternoon, between two times."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="opening_periods", verbose_name=_("site")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    half_day = models.CharField(_("half-day"), max_length=2, choices=HalfDay.choices)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening period")
        verbose_name_plural = _("opening hours")
        ordering = ["site", "weekday", "half_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "weekday", "half_day"],
                name="opening_one_per_half_day",
                violation_error_message=_("This half-day already has opening hours."),
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="opening_closes_after_opens",
                violation_error_message=_("The closing time must come after the opening time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.get_half_day_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.opens is None or self.closes is None:
            return
        if self.closes <= self.opens:
            errors["closes"] = ValidationError(
                _("The closing time must come after the opening time.")
            )
        elif self.half_day == HalfDay.MORNING and self.closes > MORNING_LATEST_CLOSE:
            errors["closes"] = ValidationError(_("A morning ends at 14:00 at the latest."))
        elif self.half_day == HalfDay.AFTERNOON and self.opens < AFTERNOON_EARLIEST_OPEN:
            errors["opens"] = ValidationError(_("An afternoon starts at 11:00 at the earliest."))
        if not errors and self.site_id is not None and self.weekday is not None:
            other = (
                OpeningPeriod.objects.filter(site_id=self.site_id, weekday=self.weekday)
                .exclude(half_day=self.half_day)
                .exclude(pk=self.pk)
                .first()
            )
            if other is not None:
                morning, afternoon = (
                    (self, other) if self.half_day == HalfDay.MORNING else (other, self)
                )
                if morning.closes > afternoon.opens:
                    errors["opens" if self is afternoon else "closes"] = ValidationError(
                        _("The morning must end before the afternoon starts.")
                    )
        if errors:
            raise ValidationError(errors)


class ClosureReason(models.TextChoices):
    HOLIDAYS = "holidays", _("Holidays")
    WORKS = "works", _("Works")
    EVENT = "event", _("Private event")
    STAFF = "staff", _("Host absent")
    OTHER = "other", _("Other")


class Closure(models.Model):
    """A site is closed from one day to another, both included."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="closures", verbose_name=_("site")
    )
    start_date = models.DateField(_("first day closed"))
    end_date = models.DateField(_("last day closed"))
    reason = models.CharField(_("reason"), max_length=20, choices=ClosureReason.choices)
    note_fr = models.CharField(_("note (French)"), max_length=200, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["site", "start_date"]
        indexes = [models.Index(fields=["site", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="closure_ends_after_start",
                violation_error_message=_("A closure cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": ValidationError(_("A closure cannot end before it starts."))}
            )

    @property
    def note(self) -> str:
        return localized(self, "note")


class ResourceKind(models.TextChoices):
    DESK = "desk", _("Desk")
    MEETING_ROOM = "meeting_room", _("Meeting room")
    VISIO_ROOM = "visio_room", _("Videoconference room")
    PRIVATE_OFFICE = "private_office", _("Private office")


class BookingUnit(models.TextChoices):
    HALF_DAY = "half_day", _("Half-day")
    HOUR = "hour", _("Hour")


DEFAULT_UNIT = {
    ResourceKind.DESK: BookingUnit.HALF_DAY,
    ResourceKind.PRIVATE_OFFICE: BookingUnit.HALF_DAY,
    ResourceKind.MEETING_ROOM: BookingUnit.HOUR,
    ResourceKind.VISIO_ROOM: BookingUnit.HOUR,
}


class Resource(models.Model):
    """Something bookable at a site: a desk, a room, an office."""

    # The network is repeated here so that every constraint guarding a booking can include
    # it (partitioning and distribution by network); it always equals site.network.
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="resources", verbose_name=_("network")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="resources", verbose_name=_("site")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveSmallIntegerField(
        _("capacity (people)"), default=1, validators=[MinValueValidator(1)]
    )
    booking_unit = models.CharField(
        _("booked by"), max_length=10, choices=BookingUnit.choices
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive resource cannot be booked.")
    )
    description_fr = models.CharField(_("description (French)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["site", "kind", "name"]
        indexes = [models.Index(fields=["network", "kind", "is_active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"],
                name="resource_name_unique_per_site",
                violation_error_message=_("This site already has a resource with this name."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="resource_capacity_positive",
                violation_error_message=_("A resource holds at least one person."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="desk") | Q(capacity=1, booking_unit="half_day"),
                name="resource_desk_is_single_half_day",
                violation_error_message=_(
                    "A desk holds one person and is booked by the half-day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.kind == ResourceKind.DESK:
            if self.capacity != 1:
                errors["capacity"] = ValidationError(_("A desk holds exactly one person."))
            if self.booking_unit and self.booking_unit != BookingUnit.HALF_DAY:
                errors["booking_unit"] = ValidationError(_("A desk is booked by the half-day."))
        if self.site_id is not None and self.network_id is not None:
            if self.site.network_id != self.network_id:
                errors["site"] = ValidationError(
                    _("The site belongs to another network than the resource.")
                )
        if errors:
            raise ValidationError(errors)

    @property
    def description(self) -> str:
        return localized(self, "description")
