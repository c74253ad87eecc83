"""The network of places: the operator, its sites, their resources and calendars."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from buron.core.i18n import localized

from .validators import (
    validate_coordinates_in_france,
    validate_insee_code,
    validate_postal_code,
    validate_siret,
    validate_time_zone,
)


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
    # Raised whenever the network's booking rules change: the rules read for a booking are
    # kept under keys that include it (see buron.places.rules).
    rules_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
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
    # The name without accents, case or punctuation, for matching what people type.
    search_name = models.CharField(_("name for search"), max_length=100, db_index=True, default="")
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
        Network,
        on_delete=models.PROTECT,
        related_name="sites",
        verbose_name=_("network"),
        db_index=False,
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
    # Raised whenever the site's hours, closures or own booking rules change (see
    # buron.places.rules).
    rules_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

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
                violation_error_code="annex_parent_mismatch",
                violation_error_message=_(
                    "An annex must name the telecentre it depends on; a telecentre must not."
                ),
            ),
            models.CheckConstraint(
                condition=Q(download_mbps__isnull=True) | Q(download_mbps__gt=0),
                name="site_download_positive",
                violation_error_code="speed_not_positive",
                violation_error_message=_(
                    "A connection speed is above zero; leave it empty when it is not known."
                ),
            ),
            models.CheckConstraint(
                condition=Q(upload_mbps__isnull=True) | Q(upload_mbps__gt=0),
                name="site_upload_positive",
                violation_error_code="speed_not_positive",
                violation_error_message=_(
                    "A connection speed is above zero; leave it empty when it is not known."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            validate_coordinates_in_france(self.latitude, self.longitude)
        except ValidationError as exc:
            for field, field_errors in exc.error_dict.items():
                errors.setdefault(field, []).extend(field_errors)
        for field, error in self._parent_errors():
            errors.setdefault(field, []).append(error)
        if self._moves_with_resources():
            errors.setdefault("network", []).append(
                ValidationError(
                    _("This site has resources, so it cannot move to another network."),
                    code="site_with_resources_moved",
                )
            )
        if (
            self.upload_mbps is not None
            and self.download_mbps is not None
            and self.upload_mbps > self.download_mbps * 10
        ):
            errors.setdefault("upload_mbps", []).append(
                ValidationError(
                    _("The upload speed looks wrong: check download and upload."),
                    code="upload_above_download",
                )
            )
        if self._postal_code_elsewhere():
            errors.setdefault("postal_code", []).append(
                ValidationError(
                    _("The postal code is not in the same département as the INSEE code."),
                    code="postal_code_elsewhere",
                )
            )
        if errors:
            raise ValidationError(errors)

    def _parent_errors(self) -> list[tuple[str, ValidationError]]:
        """An annex depends on a telecentre of its own network; a telecentre on nobody."""
        annexes = (
            Site.objects.filter(parent_id=self.pk) if self.pk is not None else Site.objects.none()
        )
        if self.kind != SiteKind.ANNEX:
            if self.parent_id is not None:
                message = _("Only an annex depends on another site.")
                return [("parent", ValidationError(message, code="telecentre_with_parent"))]
            if self.network_id is not None and annexes.exclude(network_id=self.network_id).exists():
                message = _("This telecentre's annexes belong to another network: move them first.")
                return [("network", ValidationError(message, code="annexes_in_other_network"))]
            return []
        if self.parent_id is None:
            message = _("An annex must name the telecentre it depends on.")
            return [("parent", ValidationError(message, code="annex_without_parent"))]
        found: list[tuple[str, ValidationError]] = []
        if annexes.exists():
            message = _("This site has annexes of its own, so it must stay a telecentre.")
            found.append(("kind", ValidationError(message, code="annex_with_annexes")))
        if self.parent_id == self.pk:
            message = _("A site cannot be an annex of itself.")
            found.append(("parent", ValidationError(message, code="annex_of_itself")))
            return found
        parent = Site.objects.filter(pk=self.parent_id).only("kind", "network_id").first()
        if parent is None:
            return found  # the field's own validation reports a missing site
        if parent.kind != SiteKind.TELECENTRE:
            message = _("An annex depends on a telecentre, not on an annex.")
            found.append(("parent", ValidationError(message, code="annex_of_annex")))
        if self.network_id is not None and parent.network_id != self.network_id:
            message = _("An annex depends on a telecentre of its own network.")
            found.append(("parent", ValidationError(message, code="annex_of_other_network")))
        return found

    def _moves_with_resources(self) -> bool:
        """Whether a saved site with resources is being moved to another network: its
        resources, and what was booked on them, belong to the network they were made in."""
        if self.pk is None or self.network_id is None:
            return False
        return (
            Site.objects.filter(pk=self.pk).exclude(network_id=self.network_id).exists()
            and Resource.objects.filter(site_id=self.pk).exists()
        )

    def _postal_code_elsewhere(self) -> bool:
        """Whether the postal code belongs to another département than the INSEE code.

        About twenty communes near a border have their postal code in the neighbouring
        département (Leyvaux, Cantal, 43450): the official communes table says so."""
        insee, postal = self.insee_code or "", self.postal_code or ""
        if len(insee) != 5 or len(postal) != 5 or insee[:2] in {"97", "98"}:
            return False
        department = "20" if insee[:2] in {"2A", "2B"} else insee[:2]
        if postal[:2] == department:
            return False
        return not Commune.objects.filter(insee_code=insee, postal_code=postal).exists()

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


def half_days_overlap_error() -> ValidationError:
    return ValidationError(
        _("The morning must end before the afternoon starts."),
        code="morning_overlaps_afternoon",
    )


class OpeningPeriod(models.Model):
    """A site is open on a weekday's morning or afternoon, between two times."""

    # clean() compares a half-day with the other half-day of the same day as saved. A form
    # set editing all of a site's hours at once compares them as submitted instead, and
    # turns this off (see buron.places.admin.OpeningPeriodFormSet).
    compare_with_saved_half_day = True

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="opening_periods",
        verbose_name=_("site"),
        db_index=False,
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
                violation_error_code="half_day_taken",
                violation_error_message=_("This half-day already has opening hours."),
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="opening_closes_after_opens",
                violation_error_code="closes_before_opens",
                violation_error_message=_("The closing time must come after the opening time."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="opening_weekday_valid",
                violation_error_code="invalid_weekday",
                violation_error_message=_("The weekday must be Monday to Sunday."),
            ),
            models.CheckConstraint(
                condition=Q(half_day="am", closes__lte=MORNING_LATEST_CLOSE)
                | Q(half_day="pm", opens__gte=AFTERNOON_EARLIEST_OPEN),
                name="opening_half_day_in_its_part_of_day",
                violation_error_code="half_day_out_of_bounds",
                violation_error_message=_(
                    "A morning ends at 14:00 at the latest and an afternoon starts at 11:00 "
                    "at the earliest."
                ),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_weekday_display()} {self.get_half_day_display()} "
            f"{self.opens:%H:%M}–{self.closes:%H:%M}"
        )

    def clean(self) -> None:
        if self.opens is None or self.closes is None:
            return
        if self.closes <= self.opens:
            raise ValidationError(
                {
                    "closes": ValidationError(
                        _("The closing time must come after the opening time."),
                        code="closes_before_opens",
                    )
                }
            )
        if self.half_day == HalfDay.MORNING and self.closes > MORNING_LATEST_CLOSE:
            raise ValidationError(
                {
                    "closes": ValidationError(
                        _("A morning ends at 14:00 at the latest."), code="morning_too_late"
                    )
                }
            )
        if self.half_day == HalfDay.AFTERNOON and self.opens < AFTERNOON_EARLIEST_OPEN:
            raise ValidationError(
                {
                    "opens": ValidationError(
                        _("An afternoon starts at 11:00 at the earliest."),
                        code="afternoon_too_early",
                    )
                }
            )
        if self.site_id is None or self.weekday is None or not self.compare_with_saved_half_day:
            return
        other = (
            OpeningPeriod.objects.filter(site_id=self.site_id, weekday=self.weekday)
            .exclude(half_day=self.half_day)
            .exclude(pk=self.pk)
            .first()
        )
        if other is None:
            return
        morning, afternoon = (self, other) if self.half_day == HalfDay.MORNING else (other, self)
        if morning.closes > afternoon.opens:
            raise ValidationError(
                {"opens" if self is afternoon else "closes": half_days_overlap_error()}
            )


class ClosureReason(models.TextChoices):
    HOLIDAYS = "holidays", _("Holidays")
    WORKS = "works", _("Works")
    EVENT = "event", _("Private event")
    STAFF = "staff", _("Host absent")
    OTHER = "other", _("Other")


class Closure(models.Model):
    """A site is closed from one day to another, both included."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("site"),
        db_index=False,
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
                violation_error_code="ends_before_start",
                violation_error_message=_("A closure cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {
                    "end_date": ValidationError(
                        _("A closure cannot end before it starts."), code="ends_before_start"
                    )
                }
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
        Network,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("network"),
        db_index=False,
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("site"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(
        _("name (English)"),
        max_length=100,
        blank=True,
        help_text=_("Shown on the English pages; the name is shown when empty."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity (people)"),
        default=1,
        validators=[MinValueValidator(1, message=_("A resource holds at least one person."))],
    )
    booking_unit = models.CharField(_("booked by"), max_length=10, choices=BookingUnit.choices)
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
                violation_error_code="resource_name_taken",
                violation_error_message=_("This site already has a resource with this name."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="resource_capacity_positive",
                violation_error_code="capacity_below_one",
                violation_error_message=_("A resource holds at least one person."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="desk") | Q(capacity=1, booking_unit="half_day"),
                name="resource_desk_is_single_half_day",
                violation_error_code="desk_not_single_half_day",
                violation_error_message=_("A desk holds one person and is booked by the half-day."),
            ),
            # What a booking slot means (a half-day or an hour) follows from the unit, so
            # the unit is fixed by the kind: no two units can ever share a resource.
            models.CheckConstraint(
                condition=Q(kind__in=["desk", "private_office"], booking_unit="half_day")
                | Q(kind__in=["meeting_room", "visio_room"], booking_unit="hour"),
                name="resource_unit_follows_kind",
                violation_error_code="kind_booking_unit",
                violation_error_message=_("Offices are booked by the half-day, rooms by the hour."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"

    @property
    def label(self) -> str:
        """The name in the active language: the English name on English pages when given."""
        if (get_language() or "fr")[:2] == "en" and self.name_en:
            return self.name_en
        return self.name

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.kind == ResourceKind.DESK:
            if self.capacity != 1:
                errors["capacity"] = ValidationError(
                    _("A desk holds exactly one person."), code="desk_capacity"
                )
            if self.booking_unit and self.booking_unit != BookingUnit.HALF_DAY:
                errors["booking_unit"] = ValidationError(
                    _("A desk is booked by the half-day."), code="desk_booking_unit"
                )
        elif (
            self.kind in ResourceKind.values
            and self.booking_unit
            and self.booking_unit != DEFAULT_UNIT[ResourceKind(self.kind)]
        ):
            errors["booking_unit"] = ValidationError(
                _("Offices are booked by the half-day, rooms by the hour."),
                code="kind_booking_unit",
            )
        if self.pk is not None and self.kind:
            stored = Resource.objects.filter(pk=self.pk).values_list("kind", flat=True).first()
            if stored is not None and stored != self.kind:
                # Bookings hold slots whose meaning (half-days or hours) follows the kind.
                errors["kind"] = ValidationError(
                    _("The kind of a resource cannot change: create a new resource instead."),
                    code="kind_changed",
                )
        site_network_id = None
        if self.site_id is not None:
            # A missing site is reported by the field's own validation.
            with contextlib.suppress(Site.DoesNotExist):
                site_network_id = self.site.network_id
        if site_network_id is not None and self.network_id not in (None, site_network_id):
            errors["site"] = ValidationError(
                _("The site belongs to another network than the resource."),
                code="site_in_other_network",
            )
        if errors:
            raise ValidationError(errors)

    @property
    def description(self) -> str:
        return localized(self, "description")
