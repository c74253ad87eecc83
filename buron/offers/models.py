"""The catalogue: what desk time and rooms cost (passes, carnets and packs come later)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buron.core.i18n import localized
from buron.places.models import Network, ResourceKind, Site


class PriceUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    HALF_DAY = "half_day", _("per half-day")
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


class Price(models.Model):
    """A published price, for the whole network or for one site (which then overrides it)."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="prices", verbose_name=_("network")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="prices",
        null=True,
        blank=True,
        verbose_name=_("site"),
        help_text=_("Leave empty for a price valid at every site of the network."),
    )
    resource_kind = models.CharField(
        _("for"), max_length=20, choices=ResourceKind.choices, default=ResourceKind.DESK
    )
    unit = models.CharField(_("unit"), max_length=10, choices=PriceUnit.choices)
    amount = models.DecimalField(
        _("amount incl. VAT (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), message=_("A price cannot be negative."))],
    )
    condition_fr = models.CharField(_("condition (French)"), max_length=200, blank=True)
    condition_en = models.CharField(_("condition (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["position", "amount"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="price_amount_not_negative",
                violation_error_code="negative_price",
                violation_error_message=_("A price cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_resource_kind_display()} {self.amount} € {self.get_unit_display()}"

    def clean(self) -> None:
        if (
            self.site_id is not None
            and self.network_id is not None
            and not Site.objects.filter(pk=self.site_id, network_id=self.network_id).exists()
        ):
            raise ValidationError(
                {
                    "site": ValidationError(
                        _("This site belongs to another network than the price."),
                        code="site_in_other_network",
                    )
                }
            )

    @property
    def condition(self) -> str:
        return localized(self, "condition")
