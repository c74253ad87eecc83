"""Invoices and credit notes, their lines and payments, the seller who issues them and the
counter that numbers them (one continuous sequence per seller)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buron.accounts.models import Organisation, User
from buron.accounts.validators import validate_siren, validate_siret, validate_vat_number
from buron.offers.models import Sale
from buron.places.models import Network

validate_prefix = RegexValidator(
    r"^[A-Z0-9]{2,12}$",
    _("A numbering prefix has 2 to 12 capital letters or digits."),
    code="invalid_prefix",
)
validate_iban = RegexValidator(
    r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$",
    _("An IBAN starts with two letters and two digits, without spaces."),
    code="invalid_iban",
)
validate_bic = RegexValidator(
    r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$",
    _("A BIC has 8 or 11 characters."),
    code="invalid_bic",
)


class VatScheme(models.TextChoices):
    """When VAT falls due: on receipts (services, by default) or on debits (by option)."""

    RECEIPTS = "receipts", _("VAT on receipts")
    DEBITS = "debits", _("VAT on debits (option)")


class Seller(models.Model):
    """The legal identity under which a network invoices, set by its administrator."""

    network = models.OneToOneField(
        Network, on_delete=models.PROTECT, related_name="seller", verbose_name=_("network")
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    legal_form = models.CharField(
        _("legal form"), max_length=100, help_text=_("e.g. SAS au capital de 10 000 €, EPA")
    )
    siren = models.CharField(_("SIREN"), max_length=11, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=17, validators=[validate_siret])
    vat_number = models.CharField(
        _("intra-EU VAT number"), max_length=20, blank=True, validators=[validate_vat_number]
    )
    registration = models.CharField(
        _("registration"), max_length=200, blank=True, help_text=_("e.g. RCS Aurillac 123 456 789")
    )
    address_lines = models.TextField(_("address"), help_text=_("Street, one per line."))
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country code"), max_length=2, default="FR")
    email = models.EmailField(_("billing email"), blank=True)
    vat_scheme = models.CharField(
        _("VAT scheme"), max_length=10, choices=VatScheme.choices, default=VatScheme.RECEIPTS
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, validators=[MinValueValidator(0)]
    )
    late_penalty_rate = models.DecimalField(
        _("late-payment penalty rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("12.00"),
        help_text=_("At least three times the legal interest rate."),
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    training_declaration_number = models.CharField(
        _("training body declaration number (NDA)"), max_length=20, blank=True
    )
    number_prefix = models.CharField(
        _("numbering prefix"), max_length=12, validators=[validate_prefix], unique=True
    )
    rights_before_payment = models.BooleanField(
        _("rights at once when paid offline"),
        default=True,
        help_text=_(
            "A purchase paid by transfer, cheque, at the desk or at the public cash office "
            "gives its right at once, its invoice due; otherwise once the invoice is paid. "
            "A card payment always gives it when paid."
        ),
    )

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        """The SIRET and a French VAT number belong to the seller's SIREN."""
        siren = self.siren.replace(" ", "")
        errors: dict[str, Any] = {}
        if self.siret and not self.siret.replace(" ", "").startswith(siren):
            errors["siret"] = _("The SIRET starts with the organisation's SIREN.")
        vat = self.vat_number.replace(" ", "").upper()
        if vat.startswith("FR") and not vat.endswith(siren):
            errors["vat_number"] = _("This French VAT number is not the SIREN's.")
        if errors:
            raise ValidationError(errors)


class NumberCounter(models.Model):
    """The last number a seller gave: locked in the issuing transaction, so numbers follow
    one another with no gap and no duplicate."""

    seller = models.OneToOneField(
        Seller, on_delete=models.PROTECT, related_name="counter", verbose_name=_("seller")
    )
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")

    def __str__(self) -> str:
        return f"{self.seller} {self.last}"


class Kind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DUE = "due", _("Due")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled by a credit note")


class Invoice(models.Model):
    """An invoice or a credit note. A draft may change; once issued (numbered, its customer
    and seller frozen, its PDF kept) it never changes: only its status follows payments and
    credit notes."""

    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("network"),
        db_index=False,  # served by the (network, status) index
    )
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("seller"),
        db_index=False,  # served by the (seller, sequence) unique constraint
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True, editable=False)
    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("invoice credited"),
    )
    customer_user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("member"),
    )
    customer_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("organisation"),
    )
    sale = models.OneToOneField(
        Sale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice",
        verbose_name=_("sale invoiced"),
        editable=False,
    )
    # The customer as they were when the invoice was issued (drafts fill it from the member
    # or the organisation; it never follows later changes).
    customer_name = models.CharField(_("customer"), max_length=200, blank=True)
    customer_email = models.EmailField(_("customer email"), blank=True)
    customer_siren = models.CharField(_("customer SIREN"), max_length=11, blank=True)
    customer_vat_number = models.CharField(_("customer VAT number"), max_length=20, blank=True)
    customer_is_business = models.BooleanField(_("business customer"), default=False)
    customer_address_lines = models.TextField(_("customer address"), blank=True)
    customer_postcode = models.CharField(_("customer postcode"), max_length=10, blank=True)
    customer_city = models.CharField(_("customer city"), max_length=100, blank=True)
    customer_country = models.CharField(_("customer country"), max_length=2, default="FR")
    delivery_address_lines = models.TextField(_("delivery address"), blank=True)
    delivery_postcode = models.CharField(_("delivery postcode"), max_length=10, blank=True)
    delivery_city = models.CharField(_("delivery city"), max_length=100, blank=True)
    delivery_country = models.CharField(_("delivery country"), max_length=2, blank=True)
    seller_snapshot = models.JSONField(_("seller at issue"), default=dict, blank=True)
    total_excl_vat = models.DecimalField(
        _("total excl. VAT"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    total_vat = models.DecimalField(
        _("VAT"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    total_incl_vat = models.DecimalField(
        _("total incl. VAT"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    facturx_xml = models.TextField(_("Factur-X XML"), blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/", blank=True, editable=False)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-sequence", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "sequence"],
                condition=Q(sequence__isnull=False),
                name="invoice_sequence_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", sequence__isnull=True)
                | (~Q(status="draft") & Q(sequence__isnull=False, issued_on__isnull=False)),
                name="invoice_issued_is_numbered",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="invoice_credit_note_refers",
            ),
            models.CheckConstraint(
                condition=Q(customer_user__isnull=False)
                | Q(customer_organisation__isnull=False)
                | ~Q(status="draft"),
                name="invoice_draft_has_customer",
            ),
        ]
        indexes = [models.Index(fields=["network", "status"], name="invoice_network_status")]

    def __str__(self) -> str:
        return self.number or str(_("Draft %(pk)s") % {"pk": self.pk})

    @property
    def is_issued(self) -> bool:
        return self.status != Status.DRAFT


class InvoiceLine(models.Model):
    """One line: what was sold, when, how many, at what unit price excl. VAT and VAT rate."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=300)
    service_start = models.DateField(_("service from"), null=True, blank=True)
    service_end = models.DateField(_("service until"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    unit_price = models.DecimalField(_("unit price excl. VAT"), max_digits=14, decimal_places=4)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_exemption_code = models.CharField(
        _("VAT exemption code"), max_length=30, blank=True, help_text=_("e.g. VATEX-EU-132-1I")
    )
    vat_exemption_reason = models.CharField(_("VAT exemption reason"), max_length=300, blank=True)
    net_amount = models.DecimalField(_("net amount"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position", "pk"]

    def __str__(self) -> str:
        return self.description


class PaymentMethod(models.TextChoices):
    DESK = "desk", _("At the desk")
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    PUBLIC_CASH_OFFICE = "public_cash_office", _("Public cash office")
    CARD = "card", _("Card")


class Payment(models.Model):
    """Money received against an issued invoice (a part or all of what remains due)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["invoice", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.UniqueConstraint(
                fields=["method", "reference"],
                condition=~Q(reference=""),
                name="payment_reference_once",
                violation_error_message=_("This payment has already been recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.amount}"
