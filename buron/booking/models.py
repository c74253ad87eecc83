"""Bookings of resources, and the slots that make double booking impossible.

A booking occupies one or more *slots* of its resource: half-days (0 = morning,
1 = afternoon) for resources booked by the half-day, hours (0–23) for those booked by the
hour. A partial unique constraint allows one active slot per (network, resource, day, slot):
two active bookings can never hold the same resource at the same time, whatever the code
above does and however many processes write at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from buron.accounts.models import VisitorStatus
from buron.places.models import Network, Resource, Site


class BookingKind(models.TextChoices):
    BOOKING = "booking", _("Booking")
    BLOCK = "block", _("Blocked (maintenance)")


class BookingStatus(models.TextChoices):
    ACTIVE = "active", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    # No check-in in time: the member did not come and the resource was given back.
    RELEASED = "released", _("Released (no-show)")


class Period(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")
    DAY = "day", _("Full day")
    HOURS = "hours", _("Hours")


class BookingPolicy(models.Model):
    """Booking rules of a network, or of one site (which then override the network's)."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="+", verbose_name=_("network")
    )
    site = models.OneToOneField(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="booking_policy",
        verbose_name=_("site"),
        help_text=_("Leave empty for the rules of every site of the network."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("bookable up to (days ahead)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    max_per_member_per_day = models.PositiveSmallIntegerField(
        _("bookings per member per day, at most"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    cancellation_deadline_hours = models.PositiveSmallIntegerField(
        _("cancellation possible until (hours before start)"),
        default=2,
        validators=[MaxValueValidator(720)],
    )

    class Meta:
        verbose_name = _("booking rules")
        verbose_name_plural = _("booking rules")
        constraints = [
            models.UniqueConstraint(
                fields=["network"],
                condition=Q(site__isnull=True),
                name="policy_one_default_per_network",
            )
        ]

    def __str__(self) -> str:
        return str(self.site or self.network)


class BookingSeries(models.Model):
    """A recurring booking: the same half-day on chosen weekdays between two dates."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="booking_series",
    )
    kind = models.CharField(_("kind of resource"), max_length=20)
    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    weekdays = models.CharField(_("weekdays"), max_length=13)  # "1,3" = Tuesday and Thursday
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="series_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.weekdays} {self.start_date}–{self.end_date}"


class Booking(models.Model):
    """A resource held for a member over a span of time (or blocked by staff): active until
    cancelled; its slots (BookingSlot) are what the database keeps from being held twice."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="+", verbose_name=_("network")
    )
    # The (site, start), (resource, start) and (member, start) indexes below serve these
    # keys too: a second index on the key alone would only cost every booking a write.
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("site"),
        db_index=False,
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("resource"),
        db_index=False,
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=BookingKind.choices, default=BookingKind.BOOKING
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("member"),
        db_index=False,
    )
    # What the member was on that day, kept when their identity is erased.
    visitor_status = models.CharField(
        _("visitor status"), max_length=20, choices=VisitorStatus.choices, blank=True
    )
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.ACTIVE
    )
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("recurring booking"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Set when a host moved the booking: it was cancelled and this one holds its place.
    moved_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved to"),
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["member", "start"]),
            models.Index(fields=["site", "start"]),
            models.Index(fields=["resource", "start"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status == BookingStatus.ACTIVE

    @cached_property
    def outcome(self) -> dict[str, str]:
        """What the booking's participants reported when it was made or cancelled in this
        request (e.g. {"covered_by": "carnet"}); not stored by booking itself."""
        return {}


class BookingSlot(models.Model):
    """One unit of time of one resource held by a booking (see the module's docstring)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")
    # Served by the (network, day, resource) index and the unique constraint, which lead
    # with it.
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+", db_index=False)
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="slots")
    day = models.DateField()
    slot = models.PositiveSmallIntegerField(validators=[MaxValueValidator(23)])
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "resource", "day", "slot"],
                condition=Q(is_active=True),
                name="slot_one_active_booking",
            ),
        ]
        indexes = [models.Index(fields=["network", "day", "resource"])]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.day} {self.slot}"
