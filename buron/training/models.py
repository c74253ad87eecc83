"""Trainings run with partners: programmes, sessions at a site, enrolments, attendance sheets.

A session holds its room and desks through the booking engine (one block per resource and
day, see services.sessions); its learners sign an attendance sheet per half-day, the trainer
countersigns it, and from the sheets come the hours attended and the certificates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buron.accounts.models import Organisation
from buron.billing.models import Invoice
from buron.booking.models import Booking
from buron.places.models import Network, Resource, Site


class OrganisationKind(models.TextChoices):
    EMPLOYMENT_SERVICE = "employment_service", _("Public employment service")
    TRAINING_BODY = "training_body", _("Training body")
    FUNDER = "funder", _("Other funder")


class PartnerOrganisation(models.Model):
    """A partner of the network for trainings: France Travail, a training body, a funder."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="+", verbose_name=_("network")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    declaration_number = models.CharField(
        _("training declaration number (NDA)"),
        max_length=20,
        blank=True,
        help_text=_("For a training body: its declaration of activity number."),
    )
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    billing_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("invoiced as"),
        help_text=_(
            "For a funder: the organisation (admin → Invoices → Organisations) its learners' "
            "trainings are invoiced to."
        ),
    )

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Adviser(models.Model):
    """A person who enrols learners on behalf of a partner organisation (an adviser at
    France Travail, say). They see only the learners their organisation enrolled."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_advisers",
        verbose_name=_("user"),
        db_index=False,
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="advisers",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("adviser")
        verbose_name_plural = _("advisers")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="adviser_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class InvoiceBasis(models.TextChoices):
    HOURS = "hours", _("by the hours each learner attended")
    SESSION = "session", _("the price per learner, for each learner")


class Programme(models.Model):
    """A training programme as published: what it teaches, to whom, how, for how much."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="+", verbose_name=_("network")
    )
    slug = models.SlugField(_("short name (in addresses)"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    is_published = models.BooleanField(_("published"), default=False)
    objectives = models.TextField(_("objectives"))
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    audience = models.TextField(_("audience"))
    duration_hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    teaching_methods = models.TextField(_("teaching methods"))
    assessment_methods = models.TextField(_("assessment methods"))
    trainers = models.TextField(_("trainers"), help_text=_("Names and qualifications."))
    price = models.DecimalField(
        _("price per learner (€)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    funders = models.ManyToManyField(
        PartnerOrganisation, blank=True, related_name="funded_programmes", verbose_name=_("funders")
    )
    training_body = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("training body"),
        limit_choices_to={"kind": OrganisationKind.TRAINING_BODY},
    )
    invoice_basis = models.CharField(
        _("funders are invoiced"),
        max_length=10,
        choices=InvoiceBasis.choices,
        default=InvoiceBasis.HOURS,
    )
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up survey after (months)"),
        default=3,
        validators=[MaxValueValidator(24)],
        help_text=_("Months after a session's end; 0: no follow-up survey."),
    )
    accessibility = models.TextField(_("accessibility for people with disabilities"))
    accessibility_contact = models.CharField(
        _("whom to contact about accessibility"), max_length=200
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    """One part of a programme's content."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="modules", verbose_name=_("programme")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["programme", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Open for enrolment")
    CONFIRMED = "confirmed", _("Confirmed (will run)")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    """A programme run at a site on some half-days, with its room and desks held."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="+", verbose_name=_("network")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("programme")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    room = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="+", verbose_name=_("room")
    )
    desks = models.ManyToManyField(Resource, blank=True, related_name="+", verbose_name=_("desks"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("trainer"),
        help_text=_("The trainer countersigns the attendance sheets."),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    capacity = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    minimum = models.PositiveSmallIntegerField(
        _("minimum to run"), validators=[MinValueValidator(1)]
    )
    registration_deadline = models.DateTimeField(_("registration deadline"))
    what_to_bring = models.TextField(_("what to bring"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    holds = models.ManyToManyField(Booking, blank=True, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["registration_deadline", "pk"]
        indexes = [models.Index(fields=["status", "registration_deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum__lte=models.F("capacity")),
                name="session_minimum_within_capacity",
                violation_error_message=_("The minimum cannot be above the number of places."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.site}"


class HalfDayPeriod(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


class SessionHalfDay(models.Model):
    """One half-day of a session, with its times (UTC, shown in the network's zone)."""

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="half_days",
        verbose_name=_("session"),
        db_index=False,
    )
    day = models.DateField(_("day"))
    period = models.CharField(_("half-day"), max_length=2, choices=HalfDayPeriod.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("half-day")
        verbose_name_plural = _("half-days")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "day", "period"], name="halfday_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="halfday_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_period_display()}"

    @property
    def hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)


class EnrolmentStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Enrolled")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Funding(models.TextChoices):
    SELF = "self", _("Paid by the learner")
    AIF = "aif", _("France Travail individual training aid (AIF)")
    CPF = "cpf", _("Personal training account (CPF)")
    EMPLOYER = "employer", _("Employer")
    OTHER = "other", _("Other funding")


class Enrolment(models.Model):
    """A learner's place in a session, or on its waiting list (served in order of
    arrival: created_at, then id)."""

    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("session"),
        db_index=False,
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_enrolments",
        verbose_name=_("learner"),
    )
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("enrolled by"),
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="enrolments",
        null=True,
        blank=True,
        verbose_name=_("enrolled through"),
    )
    france_travail_id = models.CharField(_("France Travail identifier"), max_length=20, blank=True)
    funding = models.CharField(
        _("funding"), max_length=20, choices=Funding.choices, default=Funding.SELF
    )
    funder = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="funded_enrolments",
        null=True,
        blank=True,
        verbose_name=_("funder"),
    )
    created_at = models.DateTimeField(_("created"))
    confirmed_at = models.DateTimeField(_("enrolled on"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner"],
                condition=~Q(status="cancelled"),
                name="enrolment_one_live_per_learner",
                violation_error_message=_("This learner is already enrolled in this session."),
            )
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.learner} — {self.session}"


class SignatureMeans(models.TextChoices):
    DRAWN = "drawn", _("Drawn signature")
    CODE = "code", _("One-time code sent by email")


class AttendanceSheet(models.Model):
    """The attendance sheet of one half-day; final once the trainer countersigned it."""

    half_day = models.OneToOneField(
        SessionHalfDay, on_delete=models.PROTECT, related_name="sheet", verbose_name=_("half-day")
    )
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("countersigned by"),
    )
    countersigned_at = models.DateTimeField(_("countersigned"), null=True, blank=True)
    countersign_means = models.CharField(
        _("countersigned with"), max_length=10, choices=SignatureMeans.choices, blank=True
    )
    countersign_image = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("attendance sheet")
        verbose_name_plural = _("attendance sheets")

    def __str__(self) -> str:
        return str(self.half_day)

    @property
    def is_final(self) -> bool:
        return self.countersigned_at is not None


class Presence(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class AttendanceLine(models.Model):
    """One learner on one sheet: signed (with its time and means) or absent (with a reason),
    with a late arrival or early departure when noted. Signed, it is not altered again:
    a correction is recorded beside it (Correction)."""

    sheet = models.ForeignKey(
        AttendanceSheet,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name=_("sheet"),
        db_index=False,
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="lines", verbose_name=_("enrolment")
    )
    presence = models.CharField(_("presence"), max_length=10, choices=Presence.choices)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    arrived_at = models.DateTimeField(_("arrived late at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left early at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signature_means = models.CharField(
        _("signed with"), max_length=10, choices=SignatureMeans.choices, blank=True
    )
    signature_image = models.TextField(blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("attendance line")
        verbose_name_plural = _("attendance lines")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "enrolment"], name="line_one_per_learner"),
            models.CheckConstraint(
                condition=Q(presence="absent", signed_at__isnull=True)
                | Q(presence="present", signed_at__isnull=False),
                name="line_present_is_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.learner} {self.sheet}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class OneTimeCode(models.Model):
    """A code emailed to a learner to sign one half-day without drawing (its SHA-256 only)."""

    half_day = models.ForeignKey(SessionHalfDay, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("one-time signing code")
        verbose_name_plural = _("one-time signing codes")

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.half_day_id}"


class Correction(models.Model):
    """A correction recorded beside a signed line or a countersigned sheet: who, when, why;
    the line itself is left as it was signed."""

    sheet = models.ForeignKey(AttendanceSheet, on_delete=models.PROTECT, related_name="corrections")
    line = models.ForeignKey(
        AttendanceLine, on_delete=models.PROTECT, related_name="corrections", null=True
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("recorded"))
    reason = models.TextField(_("why"))
    presence = models.CharField(_("presence"), max_length=10, choices=Presence.choices, blank=True)
    arrived_at = models.DateTimeField(_("arrived late at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left early at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}"


def clamp(value: dt.datetime | None, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """A time within a half-day (a late arrival before its start counts from the start)."""
    if value is None:
        return low
    return max(low, min(value, high))


# ---- Satisfaction surveys -------------------------------------------------------------------


class SurveyKind(models.TextChoices):
    END = "end", _("End of the session")
    FOLLOW_UP = "follow_up", _("Follow-up")


class SurveyQuestion(models.Model):
    """An extra question a programme adds to its survey, answered with a rating from 1 to 5
    (the standard items are the same for every programme, see surveys.STANDARD_ITEMS)."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="survey_questions",
        verbose_name=_("programme"),
    )
    kind = models.CharField(
        _("survey"), max_length=10, choices=SurveyKind.choices, default=SurveyKind.END
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.CharField(_("question (rated 1 to 5)"), max_length=200)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["programme", "kind", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Survey(models.Model):
    """A session's survey of one kind (end or follow-up): open from its invitations until it
    closes; its invitations, reminders and answers hang from it."""

    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("session"),
        db_index=False,
    )
    kind = models.CharField(_("survey"), max_length=10, choices=SurveyKind.choices)
    opened_at = models.DateTimeField(_("opened"))
    closes_at = models.DateTimeField(_("closes"))

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["session", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="survey_one_per_kind"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opened_at")), name="survey_closes_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.get_kind_display()}"


class SurveyInvitation(models.Model):
    """A learner's invitation to a survey: the personal link (a signed token naming this
    row and its nonce) answers once; reminders follow until it is answered or closed."""

    survey = models.ForeignKey(
        Survey,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("survey"),
        db_index=False,
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="+", verbose_name=_("enrolment")
    )
    nonce = models.CharField(max_length=32, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "enrolment"], name="survey_invitation_one_per_learner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} — {self.enrolment_id}"


class SurveyResponse(models.Model):
    """One learner's answers, kept apart from their invitation (the invitation only says it
    was answered): results never name who gave them."""

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    submitted_on = models.DateField(_("answered on"))
    comment = models.TextField(_("comments"), blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["survey", "pk"]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class SurveyRating(models.Model):
    """One rating of a response, from 1 to 5: a standard item (its code) or a programme's
    extra question (``q<id>``)."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="ratings", db_index=False
    )
    item = models.CharField(_("item"), max_length=20)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("survey rating")
        verbose_name_plural = _("survey ratings")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="survey_rating_one_per_item"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="survey_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}={self.rating}"


# ---- Invoicing the funders ------------------------------------------------------------------


class FunderInvoice(models.Model):
    """The invoice of a funder's learners in a session, issued once (the constraint keeps a
    second one from being written, even by concurrent requests)."""

    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="funder_invoices",
        verbose_name=_("session"),
        db_index=False,
    )
    funder = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("funder"),
    )
    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="+", verbose_name=_("invoice")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("funder invoice")
        verbose_name_plural = _("funder invoices")
        constraints = [
            models.UniqueConstraint(fields=["session", "funder"], name="funder_invoice_once")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} — {self.funder}"
