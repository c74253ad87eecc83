"""Rollups: the observatory's figures kept per site and day, so pages and the API read a
few rows instead of scanning bookings and visits.

A rollup is derived data: `services.rollup_site_day_refresh` recomputes one site-day from
the raw rows (after check-ins, releases, bookings and status corrections, through a
background task) and `manage.py observatory_rollups` recomputes a range. Deleting every
rollup and recomputing gives the same rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from buron.places.models import Network, Site


class SiteDay(models.Model):
    """The figures of one site on one day (see selectors.py for their definitions)."""

    # Served by the (network, day) index, which leads with it; the site by the unique
    # (site, day) constraint.
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    open_half_days = models.PositiveIntegerField(default=0)
    occupied_am = models.PositiveIntegerField(default=0)
    occupied_pm = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    # Visits without a member (walk-ins, closed accounts): each is one visitor.
    anonymous_visits = models.PositiveIntegerField(default=0)
    booked_visits = models.PositiveIntegerField(default=0)
    walk_ins = models.PositiveIntegerField(default=0)
    # Visitor status code ("unknown" when none was known) -> visits.
    visits_by_status = models.JSONField(default=dict)
    # Member bookings holding this day, confirmed or released; those released (no-shows).
    bookings = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    km_avoided = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal("0"))
    co2_kg_avoided = models.DecimalField(max_digits=13, decimal_places=3, default=Decimal("0"))
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site-day figures")
        verbose_name_plural = _("site-day figures")
        constraints = [
            models.UniqueConstraint(fields=["site", "day"], name="observatory_one_site_day")
        ]
        indexes = [models.Index(fields=["network", "day"])]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}"


class SiteDayMember(models.Model):
    """One member who visited one site on one day: the set that unique visitors and
    first visits are counted from (a member id, no personal data)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    member_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day", "member_id"], name="observatory_one_member_site_day"
            )
        ]
        indexes = [models.Index(fields=["site", "member_id", "day"])]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day} {self.member_id}"


class ObservatorySettings(models.Model):
    """What a network's operator enters for the observatory: the national reference share
    of salaried remote workers among third places' visitors, with its source."""

    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, related_name="+", verbose_name=_("network")
    )
    salaried_reference_share = models.DecimalField(
        _("national share of salaried remote workers"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Between 0 and 1, e.g. 0.06 for 6 %."),
    )
    salaried_reference_source = models.CharField(
        _("source of the national share"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("observatory settings")
        verbose_name_plural = _("observatory settings")

    def __str__(self) -> str:
        return str(self.network)
