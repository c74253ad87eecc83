"""The catalogue (offers and their prices), sales, members' rights and the credit ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from buron.core.i18n import localized
from buron.core.money import format_eur
from buron.places.models import Network, Site

# --- the catalogue ---------------------------------------------------------------------


class OfferKind(models.TextChoices):
    HALF_DAY_PASS = "half_day_pass", _("Half-day pass")
    DAY_PASS = "day_pass", _("Day pass")
    CARNET = "carnet", _("Carnet of credits")
    SUBSCRIPTION = "subscription", _("Monthly subscription")
    SERVICE_PACK = "service_pack", _("Service pack")
    WELCOME_PACK = "welcome_pack", _("Newcomer welcome pack")


# The offers that become a member's right once bought: a pass bought ahead covers one
# booking of its period; a service pack holds its quota (hours, pages) or its period.
RIGHT_KINDS = (
    OfferKind.HALF_DAY_PASS,
    OfferKind.DAY_PASS,
    OfferKind.CARNET,
    OfferKind.SUBSCRIPTION,
    OfferKind.SERVICE_PACK,
    OfferKind.WELCOME_PACK,
)
# How long a right lasts when its offer says nothing (days from purchase).
DEFAULT_VALIDITY_DAYS = 365


class VatExemption(models.TextChoices):
    """Why an offer at 0 % carries no VAT, as EN 16931 codes it (VATEX list): an exemption
    (category E) or an operation outside the scope of VAT (category O)."""

    TRAINING = "VATEX-EU-132-1I", _("Exempt: training by a registered body (CGI art. 261-4-4° a)")
    FRANCHISE = "VATEX-FR-FRANCHISE", _("Exempt: VAT franchise (CGI art. 293 B)")
    EXEMPT = "VATEX-EU-132", _("Exempt: other activity of general interest (EU art. 132)")
    NOT_SUBJECT = "VATEX-EU-O", _("Not subject to VAT (outside its scope)")


# The kinds whose offer must say how long the right lasts.
VALIDITY_KINDS = (
    OfferKind.CARNET,
    OfferKind.SUBSCRIPTION,
    OfferKind.SERVICE_PACK,
    OfferKind.WELCOME_PACK,
)


class ServiceKind(models.TextChoices):
    DOMICILIATION = "domiciliation", _("Business address with mail handling")
    PRINTING = "printing", _("Printing quota")
    LOCKER = "locker", _("Locker")
    MEETING_ROOM_HOURS = "meeting_room_hours", _("Meeting-room hours")
    VISIO_ROOM_HOURS = "visio_room_hours", _("Videoconference-room hours")


class Category(models.TextChoices):
    """Who a reduced price is for; buying it needs a proof a host validated."""

    JOB_SEEKER = "job_seeker", _("Job seekers")
    STUDENT = "student", _("Students")


class Offer(models.Model):
    """One thing a network sells: a pass, a carnet, a subscription, a service pack or the
    newcomer welcome pack, at a net price (excl. VAT) and a VAT rate."""

    # Served by the (network, kind) index.
    network = models.ForeignKey(
        Network,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("network"),
        db_index=False,
    )
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="offers",
        verbose_name=_("sites"),
        help_text=_("Leave empty for an offer valid at every site of the network."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    net_price = models.DecimalField(
        _("price excl. VAT (€)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), message=_("A price cannot be negative."))],
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
        help_text=_("Required when the VAT rate is 0 (e.g. training by a registered body)."),
    )
    vat_exemption_code = models.CharField(
        _("VAT exemption code"),
        max_length=30,
        blank=True,
        choices=VatExemption.choices,
        help_text=_("Required when the VAT rate is 0: printed on the invoice and in its XML."),
    )
    category = models.CharField(
        _("reduced price for"),
        max_length=20,
        choices=Category.choices,
        blank=True,
        help_text=_("Leave empty for everyone; a category needs a validated proof."),
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    valid_from = models.DateField(_("on sale from"), null=True, blank=True)
    valid_until = models.DateField(_("on sale until"), null=True, blank=True)
    credits = models.PositiveIntegerField(
        _("credits"), null=True, blank=True, help_text=_("Carnets: how many credits it holds.")
    )
    validity_days = models.PositiveIntegerField(
        _("valid for (days)"), null=True, blank=True, help_text=_("From the purchase.")
    )
    validity_months = models.PositiveIntegerField(
        _("valid for (months)"), null=True, blank=True, help_text=_("From the purchase.")
    )
    days_per_week = models.PositiveSmallIntegerField(
        _("days a week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Subscriptions: days covered each week; empty for unlimited."),
    )
    half_day_credits = models.PositiveSmallIntegerField(_("credits per half-day"), default=1)
    day_credits = models.PositiveSmallIntegerField(_("credits per day"), default=2)
    service = models.CharField(_("service"), max_length=20, choices=ServiceKind.choices, blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"), null=True, blank=True, help_text=_("Service packs: hours or pages.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["position", "net_price", "pk"]
        indexes = [models.Index(fields=["network", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(net_price__gte=0), name="offer_price_not_negative"),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="offer_vat_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gt=0) | ~Q(vat_exemption_reason=""),
                name="offer_exemption_reason_when_no_vat",
                violation_error_message=_("Give the exemption reason when the VAT rate is 0."),
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gt=0) | ~Q(vat_exemption_code=""),
                name="offer_exemption_code_when_no_vat",
                violation_error_message=_("Choose the exemption code when the VAT rate is 0."),
            ),
            models.CheckConstraint(
                condition=Q(vat_rate=0) | Q(vat_exemption_code=""),
                name="offer_no_exemption_code_with_vat",
                violation_error_message=_("An offer charging VAT has no exemption code."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="carnet") | Q(credits__gt=0),
                name="offer_carnet_has_credits",
                violation_error_message=_("A carnet holds at least one credit."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.vat_rate == 0 and not self.vat_exemption_reason:
            errors["vat_exemption_reason"] = _("Give the exemption reason when the VAT rate is 0.")
        if self.vat_rate == 0 and not self.vat_exemption_code:
            errors["vat_exemption_code"] = _("Choose the exemption code when the VAT rate is 0.")
        if self.vat_rate and self.vat_rate > 0 and self.vat_exemption_code:
            errors["vat_exemption_code"] = _("An offer charging VAT has no exemption code.")
        if self.kind == OfferKind.CARNET and not self.credits:
            errors["credits"] = _("A carnet holds at least one credit.")
        if self.kind in VALIDITY_KINDS and not (self.validity_days or self.validity_months):
            errors["validity_days"] = _("Give how long it is valid, in days or months.")
        if self.kind == OfferKind.SERVICE_PACK and not self.service:
            errors["service"] = _("Choose the service of the pack.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end of sale comes before its start.")
        if errors:
            raise ValidationError(errors)


class ProofStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a host")
    VALIDATED = "validated", _("Validated")
    REFUSED = "refused", _("Refused")


class Proof(models.Model):
    """A member's proof of a category (job seeker, student) that opens reduced prices once
    a host of their site or a network administrator validated it."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="category_proofs",
        verbose_name=_("member"),
        db_index=False,
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="+", verbose_name=_("network")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("site"),
        help_text=_("The site where the member showed the proof."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("proof shown"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProofStatus.choices, default=ProofStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("category proof")
        verbose_name_plural = _("category proofs")
        indexes = [models.Index(fields=["member", "category"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_category_display()} {self.get_status_display()}"


# --- sales -------------------------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    DESK = "desk", _("At the desk (card or cash)")
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    PUBLIC_CASH_OFFICE = "public_cash_office", _("Public cash office")
    CARD = "card", _("Card, online")
    RENEWAL = "renewal", _("Automatic renewal (to be paid)")


class Sale(models.Model):
    """What a member bought, at a site, and how it was paid; billing invoices it later."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="+", verbose_name=_("network")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="sales",
        verbose_name=_("site"),
        db_index=False,
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="purchases",
        verbose_name=_("member"),
    )
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sold by"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invoiced to"),
        help_text=_("The organisation the member bought for (a business: invoiced to it)."),
    )
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices
    )
    total_excl_vat = models.DecimalField(_("total excl. VAT"), max_digits=10, decimal_places=2)
    total_vat = models.DecimalField(_("VAT"), max_digits=10, decimal_places=2)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(_("sold"), auto_now_add=True)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["site", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_incl_vat=F("total_excl_vat") + F("total_vat")),
                name="sale_totals_add_up",
            )
        ]

    def __str__(self) -> str:
        total = format_eur(self.total_incl_vat, language=get_language() or "fr", cents=True)
        return f"{self.site} {self.created_at:%Y-%m-%d} {total}"


class SaleLine(models.Model):
    """One offer in a sale, with its amounts rounded once (buron.core.money)."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price_excl_vat = models.DecimalField(
        _("unit price excl. VAT"), max_digits=9, decimal_places=2
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_exemption_reason = models.CharField(max_length=200, blank=True)
    vat_exemption_code = models.CharField(max_length=30, blank=True)
    amount_excl_vat = models.DecimalField(_("amount excl. VAT"), max_digits=10, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=10, decimal_places=2)
    amount_incl_vat = models.DecimalField(_("amount incl. VAT"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


# --- rights and the credit ledger ----------------------------------------------------------


class Right(models.Model):
    """What a member holds from a purchase: a carnet's credits, a subscription's days or a
    welcome pack's free period, at every site of the offer between two dates."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="rights",
        verbose_name=_("member"),
        db_index=False,
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="+", verbose_name=_("network")
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="rights", verbose_name=_("offer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    sale = models.ForeignKey(
        Sale, on_delete=models.PROTECT, null=True, blank=True, related_name="rights"
    )
    renews = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    expires_on = models.DateField(_("until (included)"))
    days_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    service = models.CharField(_("service"), max_length=20, choices=ServiceKind.choices, blank=True)
    half_day_credits = models.PositiveSmallIntegerField(default=1)
    day_credits = models.PositiveSmallIntegerField(default=2)
    auto_renew = models.BooleanField(_("renewed automatically"), default=False)
    stopped_at = models.DateTimeField(_("renewal stopped"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("right")
        verbose_name_plural = _("rights")
        ordering = ["expires_on", "pk"]
        indexes = [models.Index(fields=["member", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("starts_on")), name="right_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in RIGHT_KINDS]),
                name="right_kind_is_a_right_or_pack",
            ),
            models.UniqueConstraint(
                fields=["member", "network"],
                condition=Q(kind="welcome_pack"),
                name="right_one_welcome_pack_per_person",
                violation_error_message=_("The welcome pack is given once per person."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}–{self.expires_on}"


class EntryKind(models.TextChoices):
    GRANT = "grant", _("Granted")
    SPEND = "spend", _("Spent")
    REFUND = "refund", _("Given back")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted")


class LedgerEntry(models.Model):
    """One movement of a right's credits; append-only. A right's balance is the sum of its
    entries; a booking it covers is named by its id (spend, and refund when given back)."""

    right = models.ForeignKey(
        Right, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    kind = models.CharField(_("movement"), max_length=10, choices=EntryKind.choices)
    credits = models.IntegerField(_("credits"))
    booking_id = models.BigIntegerField(_("booking"), null=True, blank=True, db_index=True)
    day = models.DateField(_("day used"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["pk"]
        indexes = [models.Index(fields=["right", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["grant", "refund"], credits__gte=0)
                | Q(kind__in=["spend", "expire"], credits__lte=0)
                | Q(kind="adjust"),
                name="ledger_sign_follows_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.credits:+d}"


class PayAsYouGoStatus(models.TextChoices):
    DUE = "due", _("To be paid")
    CANCELLED = "cancelled", _("Cancelled in time")


class PayAsYouGo(models.Model):
    """A booking no right covered: paid at the published price (billing invoices it)."""

    booking_id = models.BigIntegerField(_("booking"), unique=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, related_name="+")
    day = models.DateField(_("day"))
    amount_excl_vat = models.DecimalField(max_digits=9, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    amount_incl_vat = models.DecimalField(max_digits=9, decimal_places=2)
    status = models.CharField(
        max_length=10, choices=PayAsYouGoStatus.choices, default=PayAsYouGoStatus.DUE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pay-as-you-go booking")
        verbose_name_plural = _("pay-as-you-go bookings")

    def __str__(self) -> str:
        amount = format_eur(self.amount_incl_vat, language=get_language() or "fr", cents=True)
        return f"{self.booking_id} {amount}"


class MailItemKind(models.TextChoices):
    LETTER = "letter", _("Letter")
    REGISTERED = "registered", _("Registered letter")
    PARCEL = "parcel", _("Parcel")


class MailItem(models.Model):
    """Mail received for a member domiciled at a site (their business address right): the
    host records it, the member sees it on My rights, the host marks it handed over."""

    right = models.ForeignKey(
        Right, on_delete=models.PROTECT, related_name="mail", verbose_name=_("business address")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=MailItemKind.choices, default=MailItemKind.LETTER
    )
    sender = models.CharField(_("sender"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("mail item")
        verbose_name_plural = _("mail items")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"
