"""Who actually came: visits (check-ins and walk-ins), the sites' check-in codes, and each
network's attendance settings (no-show delay, reference town, CO2 factor).

A visit is one person at one site on one day. It keeps what the observatory needs even
after the person's account is erased: their visitor status on that day, their commune of
residence and the commuting it avoided, computed with the factors in force that day.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buron.accounts.models import VisitorStatus
from buron.booking.models import Booking
from buron.places.models import Commune, Network, Site

# ADEME, Base Empreinte: an average car in France, per vehicle-km (combustion and upstream).
DEFAULT_CO2_KG_PER_KM = Decimal("0.218")
DEFAULT_CO2_SOURCE = "ADEME, Base Empreinte — voiture particulière, motorisation moyenne"
DEFAULT_CO2_YEAR = 2024
# Roads are longer than the straight line between two town halls: about 1.3 times on
# average in rural France (the detour index commonly used for French road networks).
DEFAULT_ROAD_FACTOR = Decimal("1.30")
DEFAULT_NO_SHOW_MINUTES = 60


class AttendanceSettings(models.Model):
    """A network's attendance settings: when an unattended booking is released, and the
    factors that turn a visit into commuting and CO2 avoided (their source shown)."""

    network = models.OneToOneField(
        Network,
        on_delete=models.CASCADE,
        related_name="attendance_settings",
        verbose_name=_("network"),
    )
    no_show_after_minutes = models.PositiveSmallIntegerField(
        _("release a booking without check-in after (minutes from its start)"),
        default=DEFAULT_NO_SHOW_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    reference_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reference town"),
        help_text=_(
            "Where a visitor who gives no usual workplace would otherwise commute to "
            "(e.g. the largest town of the territory)."
        ),
    )
    road_factor = models.DecimalField(
        _("road distance / straight-line distance"),
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_ROAD_FACTOR,
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("3.00"))],
    )
    co2_kg_per_km = models.DecimalField(
        _("kg of CO2 per km driven"),
        max_digits=6,
        decimal_places=4,
        default=DEFAULT_CO2_KG_PER_KM,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
    )
    co2_source = models.CharField(
        _("source of the CO2 factor"), max_length=200, default=DEFAULT_CO2_SOURCE
    )
    co2_year = models.PositiveSmallIntegerField(
        _("year of the CO2 factor"),
        default=DEFAULT_CO2_YEAR,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )

    class Meta:
        verbose_name = _("attendance settings")
        verbose_name_plural = _("attendance settings")

    def __str__(self) -> str:
        return str(self.network)


class CheckinPoint(models.Model):
    """A site's check-in code: the secret address its entrance poster's QR code opens."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="checkin_point", verbose_name=_("site")
    )
    token = models.CharField(_("code"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("check-in code")
        verbose_name_plural = _("check-in codes")

    def __str__(self) -> str:
        return str(self.site)


class VisitSource(models.TextChoices):
    HOST = "host", _("Checked in by the host")
    QR = "qr", _("QR code at the entrance")
    WALK_IN = "walk_in", _("Walk-in without booking")
    API = "api", _("Door system or kiosk")


class Visit(models.Model):
    """One person at one site on one day (see the module's docstring).

    A member counts once per site and day however often they check in; a check-in sent
    twice (a phone retrying, a door system replaying) carries the same client UUID and is
    recorded once."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="+", verbose_name=_("network")
    )
    # Served by the (site, day) index, which leads with it.
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("site"),
        db_index=False,
    )
    # The site's local day of the arrival.
    day = models.DateField(_("day"))
    arrived_at = models.DateTimeField(_("arrived at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    client_uuid = models.UUIDField(_("check-in identifier"), unique=True)
    source = models.CharField(_("source"), max_length=10, choices=VisitSource.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("member"),
        db_index=False,
    )
    booking = models.ForeignKey(
        Booking,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("booking"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    visitor_status = models.CharField(
        _("visitor status"), max_length=20, choices=VisitorStatus.choices, blank=True
    )
    home_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune of residence"),
    )
    work_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune of usual workplace"),
    )
    # Round trip by road, avoided: none when the commune of residence is unknown.
    km_avoided = models.DecimalField(
        _("km avoided"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    co2_kg_avoided = models.DecimalField(
        _("kg CO2 avoided"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    co2_kg_per_km = models.DecimalField(
        _("kg of CO2 per km used"), max_digits=6, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-arrived_at"]
        indexes = [models.Index(fields=["site", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "site", "day"],
                condition=Q(member__isnull=False),
                name="visit_one_per_member_site_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.arrived_at:%Y-%m-%d %H:%M}"
