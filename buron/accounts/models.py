"""People: one account per person, identified by email, for the whole network."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import validate_siren, validate_siret, validate_vat_number


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person with an account: members and staff alike, signing in by email."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class VisitorStatus(models.TextChoices):
    """Who a person is when they come: the same codes in the API, exports and commands."""

    FREELANCER = "freelancer", _("Freelancer")
    STARTUP = "startup", _("Start-up founder or employee")
    SALARIED_REMOTE = "salaried_remote", _("Salaried remote worker")
    JOB_SEEKER = "job_seeker", _("Job seeker")
    STUDENT = "student", _("Student")
    PUBLIC_AGENT = "public_agent", _("Public agent")
    OTHER = "other", _("Other")


class MemberProfile(models.Model):
    """What a member tells about themselves; one per user."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    commune = models.ForeignKey(
        "places.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune of residence"),
    )
    # Where the member would otherwise commute to: gives the distance a visit avoids.
    work_commune = models.ForeignKey(
        "places.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune of usual workplace"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Emails the member may turn off (account emails, and a host's move or cancellation of
    # a booking, are always sent): chosen on their account page.
    email_reminders = models.BooleanField(
        _("reminder the day before a booking"),
        default=True,
    )
    language = models.CharField(
        _("language of my emails"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    email_confirmations = models.BooleanField(
        _("confirmation of the bookings and cancellations I make"),
        default=True,
    )
    # The SHA-256 of the secret in the member's calendar feed address (the secret itself is
    # shown once, when made); a new one revokes the old address.
    calendar_digest = models.CharField(_("calendar key digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")

    def __str__(self) -> str:
        return str(self.user)


class StatusPeriod(models.Model):
    """A member's status from a day on (until the next period): bookings remember it."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="status_periods",
        verbose_name=_("user"),
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=20, choices=VisitorStatus.choices)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    valid_from = models.DateField(_("from"))

    class Meta:
        verbose_name = _("status period")
        verbose_name_plural = _("status periods")
        ordering = ["user", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "valid_from"],
                name="status_one_per_day",
                violation_error_message=_("A status already starts on this day."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="salaried_remote") | ~models.Q(employer_name=""),
                name="status_salaried_has_employer",
                violation_error_message=_("A salaried remote worker names their employer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.status} {self.valid_from}"


class Role(models.TextChoices):
    NETWORK_ADMIN = "network_admin", _("Network administrator")
    SITE_HOST = "site_host", _("Site host")


class StaffRole(models.Model):
    """A person's role in a network: administrator of all of it, or host of one site."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("user"),
        db_index=False,
    )
    network = models.ForeignKey(
        "places.Network", on_delete=models.CASCADE, related_name="+", verbose_name=_("network")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    site = models.ForeignKey(
        "places.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="network_admin", site__isnull=True)
                | models.Q(role="site_host", site__isnull=False),
                name="role_host_has_site",
                violation_error_message=_(
                    "A site host is host of one site; a network administrator of none."
                ),
            ),
            models.UniqueConstraint(fields=["user", "network", "role", "site"], name="role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} {self.site or self.network}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class Organisation(models.Model):
    """A company or administration of one network that pays for people (an employer, a
    training funder): its legal identity, billing address and the people who manage it."""

    network = models.ForeignKey(
        "places.Network",
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("network"),
        db_index=False,  # served by the (network, siren) unique constraint
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=11, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=17, blank=True, validators=[validate_siret])
    vat_number = models.CharField(
        _("intra-EU VAT number"), max_length=20, blank=True, validators=[validate_vat_number]
    )
    address_lines = models.TextField(_("billing address"), help_text=_("Street, one per line."))
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country code"), max_length=2, default="FR")
    managers = models.ManyToManyField(
        User, blank=True, related_name="managed_organisations", verbose_name=_("managers")
    )
    is_public_body = models.BooleanField(_("public body"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "siren"], name="organisation_siren_unique")
        ]

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        """The SIRET and a French VAT number belong to the SIREN given."""
        siren = self.siren.replace(" ", "")
        errors: dict[str, Any] = {}
        if self.siret and not self.siret.replace(" ", "").startswith(siren):
            errors["siret"] = _("The SIRET starts with the organisation's SIREN.")
        vat = self.vat_number.replace(" ", "").upper()
        if vat.startswith("FR") and not vat.endswith(siren):
            errors["vat_number"] = _("This French VAT number is not the SIREN's.")
        if errors:
            raise ValidationError(errors)
