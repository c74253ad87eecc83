"""Employers' contracts with a network: which sites, how many days a month per employee, at
what price; the members each organisation employs; the ledger of the days an employer pays
for (one row per booking), from which quotas are counted and months invoiced."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buron.accounts.models import Organisation
from buron.places.models import Network, Site

HALF = Decimal("0.5")


class EmployerContract(models.Model):
    """An organisation's contract with a network: the sites its employees may use (all when
    none is chosen), the days a month each employee may book (a half-day counts 0.5), the
    price excl. VAT of a half-day and of a day, the VAT rate and the period of validity."""

    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("network"),
        db_index=False,  # served by the (network, organisation) index
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="employer_contracts",
        verbose_name=_("employer"),
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="+",
        verbose_name=_("allowed sites"),
        help_text=_("Leave empty for every site of the network."),
    )
    days_per_month = models.DecimalField(
        _("days a month per employee"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(HALF)],
        help_text=_("A half-day counts 0.5."),
    )
    half_day_price = models.DecimalField(
        _("price of a half-day excl. VAT (€)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    day_price = models.DecimalField(
        _("price of a day excl. VAT (€)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    vat_exemption_reason = models.CharField(
        _("VAT exemption reason"),
        max_length=200,
        blank=True,
        help_text=_("Required when the VAT rate is 0."),
    )
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until (included)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer contract")
        verbose_name_plural = _("employer contracts")
        ordering = ["organisation", "-starts_on", "pk"]
        indexes = [models.Index(fields=["network", "organisation"], name="contract_network_org")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("The contract ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(days_per_month__gt=0), name="contract_quota_positive"
            ),
            models.CheckConstraint(
                condition=Q(half_day_price__gte=0, day_price__gte=0),
                name="contract_prices_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="contract_vat_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gt=0) | ~Q(vat_exemption_reason=""),
                name="contract_exemption_reason_when_no_vat",
                violation_error_message=_("Give the exemption reason when the VAT rate is 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.reference or self.starts_on}"

    def clean(self) -> None:
        """The organisation is of the contract's network, the quota counts half-days, and
        an organisation has one contract in force at a time."""
        errors: dict[str, object] = {}
        if self.days_per_month is not None and (self.days_per_month / HALF) % 1:
            errors["days_per_month"] = _("Count days by halves: 1, 1.5, 2…")
        if self.vat_rate == 0 and not self.vat_exemption_reason:
            errors["vat_exemption_reason"] = _("Give the exemption reason when the VAT rate is 0.")
        if self.organisation_id and self.network_id:
            if self.organisation.network_id != self.network_id:
                errors["organisation"] = _("This organisation belongs to another network.")
            elif self.starts_on and self._overlaps():
                errors["starts_on"] = _(
                    "This employer already has a contract in force during this period."
                )
        if errors:
            raise ValidationError(errors)

    def _overlaps(self) -> bool:
        others = EmployerContract.objects.filter(organisation_id=self.organisation_id).exclude(
            pk=self.pk
        )
        others = others.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on))
        if self.ends_on is not None:
            others = others.filter(starts_on__lte=self.ends_on)
        return others.exists()


class Employment(models.Model):
    """A member linked to an organisation as its employee: its contracts cover them. Made
    by the network's administrator, or when the employer named on the member's status is
    the organisation's legal name. `pays_by_default`: the member's remembered choice."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="employments",
        verbose_name=_("employer"),
        db_index=False,  # served by the (organisation, member) unique constraint
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="employments",
        verbose_name=_("employee"),
    )
    from_status = models.BooleanField(_("linked from the member's status"), default=False)
    pays_by_default = models.BooleanField(_("pays by default"), default=True)
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["organisation", "member__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "member"],
                name="employment_once",
                violation_error_message=_("This member is already linked to this employer."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.organisation}"


class UseStatus(models.TextChoices):
    USED = "used", _("Used")
    GIVEN_BACK = "given_back", _("Cancelled in time")
    CONSUMED = "consumed", _("Cancelled late (due)")


# The statuses an employer pays for, and that count against the quota.
DUE_STATUSES = (UseStatus.USED, UseStatus.CONSUMED)


class EmployerUse(models.Model):
    """One booking an employer pays for under its contract: its day, site and units (0.5 a
    half-day, 1 a day). Written in the booking's transaction, given back when cancelled in
    time; quotas and monthly invoices are counted from these rows."""

    contract = models.ForeignKey(
        EmployerContract,
        on_delete=models.PROTECT,
        related_name="uses",
        verbose_name=_("contract"),
        db_index=False,  # served by the (contract, day) index
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("employee"),
        db_index=False,  # served by the (member, day) index
    )
    employee_name = models.CharField(_("employee"), max_length=200)
    booking_id = models.BigIntegerField(_("booking"), unique=True)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    day = models.DateField(_("day"))
    period = models.CharField(_("period"), max_length=5)
    units = models.DecimalField(_("days"), max_digits=3, decimal_places=1)
    status = models.CharField(
        _("status"), max_length=12, choices=UseStatus.choices, default=UseStatus.USED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("day paid by an employer")
        verbose_name_plural = _("days paid by employers")
        ordering = ["day", "pk"]
        indexes = [
            models.Index(fields=["contract", "day"], name="use_contract_day"),
            models.Index(fields=["member", "day"], name="use_member_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(units__gt=0), name="use_units_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_name} {self.day} {self.period}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class InvoicingRun(models.Model):
    """The monthly invoicing of a network's employer contracts for one month: how many
    contracts it has to go through and how many are done (shown to the administrators)."""

    network = models.ForeignKey(
        Network,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("network"),
        db_index=False,  # served by the (network, month) unique constraint
    )
    month = models.DateField(_("month"), help_text=_("Its first day."))
    total = models.PositiveIntegerField(_("contracts"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    invoiced = models.PositiveIntegerField(_("invoices issued"), default=0)
    failed = models.PositiveIntegerField(_("refused"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    last_error = models.TextField(_("last refusal"), blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("employer invoicing run")
        verbose_name_plural = _("employer invoicing runs")
        ordering = ["-month", "network"]
        constraints = [
            models.UniqueConstraint(fields=["network", "month"], name="invoicing_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.month:%Y-%m} {self.done}/{self.total}"


class ContractInvoice(models.Model):
    """A contract's month, invoiced once: the unique (contract, month) row is written in the
    transaction that issues the invoice, so re-running never issues it twice. `invoice_id`
    names billing's invoice (none when nothing was used that month)."""

    contract = models.ForeignKey(
        EmployerContract,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("contract"),
        db_index=False,  # served by the (contract, month) unique constraint
    )
    month = models.DateField(_("month"))
    invoice_id = models.BigIntegerField(_("invoice"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoiced contract month")
        verbose_name_plural = _("invoiced contract months")
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="contract_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.month:%Y-%m}"
