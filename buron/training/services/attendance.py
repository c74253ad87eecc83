"""Attendance sheets: learners sign each half-day (a drawn signature or a one-time code),
the trainer notes absences, late arrivals and early departures, then countersigns.

A signature is written once and never changed; a countersigned sheet is final. What has to
change afterwards is recorded as a correction beside it (who, when, why)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope

from ..errors import refusal
from ..models import (
    AttendanceLine,
    AttendanceSheet,
    Correction,
    Enrolment,
    EnrolmentStatus,
    OneTimeCode,
    Presence,
    SessionHalfDay,
    SignatureMeans,
)

PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 200_000
CODE_MINUTES = 15
CODE_ATTEMPTS = 5
# A learner signs from the start of the half-day until the trainer countersigns, and at
# most this long after its end.
SIGNING_GRACE = dt.timedelta(hours=12)


def _digest(code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{code}".encode()).hexdigest()


def _png(image: str) -> str:
    """A drawn signature: a PNG as a data URL, checked to be one and not too large."""
    if not image.startswith(PNG_PREFIX):
        raise refusal(_("Draw your signature first."), "no_drawing", "signature")
    try:
        raw = base64.b64decode(image[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise refusal(_("This signature cannot be read."), "bad_drawing", "signature") from None
    if not raw.startswith(PNG_MAGIC) or len(raw) > MAX_SIGNATURE_BYTES:
        raise refusal(_("This signature cannot be read."), "bad_drawing", "signature")
    return image


def sheet_for(*, half_day: SessionHalfDay) -> AttendanceSheet:
    """The half-day's sheet, created on first use."""
    sheet, _created = AttendanceSheet.objects.get_or_create(half_day=half_day)
    return sheet


def _locked_sheet(half_day: SessionHalfDay) -> AttendanceSheet:
    sheet = sheet_for(half_day=half_day)
    return AttendanceSheet.objects.select_for_update().get(pk=sheet.pk)


def _check_learner_may_sign(
    *, half_day: SessionHalfDay, enrolment: Enrolment, by: User, now: dt.datetime
) -> None:
    if enrolment.learner_id != by.pk:
        raise refusal(_("Only the learner signs for themselves."), "not_yourself")
    if enrolment.session_id != half_day.session_id or enrolment.status != (
        EnrolmentStatus.CONFIRMED
    ):
        raise refusal(_("You are not enrolled in this session."), "not_enrolled")
    if now < half_day.starts_at:
        raise refusal(_("This half-day has not started yet."), "not_started")
    if now > half_day.ends_at + SIGNING_GRACE:
        raise refusal(_("This half-day is over: ask the trainer."), "too_late")


@transaction.atomic
def signing_code_send(
    *, half_day: SessionHalfDay, enrolment: Enrolment, by: User, now: dt.datetime | None = None
) -> None:
    """Email the learner a one-time code to sign this half-day without drawing."""
    now = now or timezone.now()
    _check_learner_may_sign(half_day=half_day, enrolment=enrolment, by=by, now=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    OneTimeCode.objects.filter(half_day=half_day, enrolment=enrolment, used_at=None).delete()
    OneTimeCode.objects.create(
        half_day=half_day,
        enrolment=enrolment,
        digest=_digest(code),
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    context = {"code": code, "minutes": CODE_MINUTES, "half_day": half_day}
    subject = render_to_string("training/email/code_subject.txt", context).strip()
    body = render_to_string("training/email/code.txt", context)
    # The code is never written to the task queue: it is sent once the code is saved.
    transaction.on_commit(lambda: send_mail(subject, body, None, [by.email]))


def _code_matches(
    *, half_day: SessionHalfDay, enrolment: Enrolment, code: str, now: dt.datetime
) -> bool:
    found = (
        OneTimeCode.objects.select_for_update()
        .filter(half_day=half_day, enrolment=enrolment, used_at=None, expires_at__gt=now)
        .order_by("-pk")
        .first()
    )
    if found is None or found.attempts >= CODE_ATTEMPTS:
        return False
    if not hmac.compare_digest(found.digest, _digest(code.strip())):
        found.attempts += 1
        found.save(update_fields=["attempts"])
        return False
    found.used_at = now
    found.save(update_fields=["used_at"])
    return True


def line_sign(
    *,
    half_day: SessionHalfDay,
    enrolment: Enrolment,
    by: User,
    means: str,
    image: str = "",
    code: str = "",
    now: dt.datetime | None = None,
) -> AttendanceLine:
    """The learner signs the half-day: with a drawing (a PNG) or the code emailed to them.
    Refused for someone else, before the half-day starts, on a final sheet, and when the
    learner already signed or was marked absent (the trainer then records a correction)."""
    now = now or timezone.now()
    _check_learner_may_sign(half_day=half_day, enrolment=enrolment, by=by, now=now)
    if means == SignatureMeans.DRAWN:
        image = _png(image)
    elif means == SignatureMeans.CODE:
        image = ""
        # Its own transaction: a wrong attempt is counted even though the signature fails.
        with transaction.atomic():
            matched = _code_matches(half_day=half_day, enrolment=enrolment, code=code, now=now)
        if not matched:
            raise refusal(
                _("This code is wrong or has expired: ask for a new one."), "bad_code", "code"
            )
    else:
        raise refusal(_("Choose how to sign."), "invalid_means", "means")
    with transaction.atomic():
        sheet = _locked_sheet(half_day)
        if sheet.is_final:
            raise refusal(_("This sheet is countersigned: it is final."), "sheet_final")
        existing = AttendanceLine.objects.filter(sheet=sheet, enrolment=enrolment).first()
        if existing is not None:
            if existing.is_signed:
                raise refusal(_("You already signed this half-day."), "already_signed")
            raise refusal(
                _("The trainer marked you absent: ask them to record a correction."),
                "marked_absent",
            )
        try:
            with transaction.atomic():
                return AttendanceLine.objects.create(
                    sheet=sheet,
                    enrolment=enrolment,
                    presence=Presence.PRESENT,
                    signed_at=now,
                    signature_means=means,
                    signature_image=image,
                    recorded_by=by,
                    recorded_at=now,
                )
        except IntegrityError:
            raise refusal(_("You already signed this half-day."), "already_signed") from None


def may_keep_sheet(*, user: User, half_day: SessionHalfDay) -> bool:
    """The session's trainer and the site's staff keep its sheets."""
    session = half_day.session
    return session.trainer_id == user.pk or staff_scope(user=user).covers_site(session.site)


def _trainer_check(*, half_day: SessionHalfDay, by: User) -> None:
    if not may_keep_sheet(user=by, half_day=half_day):
        raise refusal(_("You do not keep this session's sheets."), "not_trainer")


@transaction.atomic
def line_mark_absent(
    *,
    half_day: SessionHalfDay,
    enrolment: Enrolment,
    by: User,
    reason: str,
    now: dt.datetime | None = None,
) -> AttendanceLine:
    """The trainer notes a learner who did not sign as absent, with the reason given."""
    now = now or timezone.now()
    _trainer_check(half_day=half_day, by=by)
    if enrolment.session_id != half_day.session_id or enrolment.status != (
        EnrolmentStatus.CONFIRMED
    ):
        raise refusal(_("This learner is not enrolled in this session."), "not_enrolled")
    if now < half_day.starts_at:
        raise refusal(_("This half-day has not started yet."), "not_started")
    sheet = _locked_sheet(half_day)
    if sheet.is_final:
        raise refusal(_("This sheet is countersigned: record a correction."), "sheet_final")
    if AttendanceLine.objects.filter(sheet=sheet, enrolment=enrolment).exists():
        raise refusal(
            _("This learner is already on the sheet: record a correction."), "already_noted"
        )
    return AttendanceLine.objects.create(
        sheet=sheet,
        enrolment=enrolment,
        presence=Presence.ABSENT,
        absence_reason=reason.strip()[:200],
        recorded_by=by,
        recorded_at=now,
    )


def _within(half_day: SessionHalfDay, value: dt.datetime | None, field: str) -> None:
    if value is not None and not half_day.starts_at < value < half_day.ends_at:
        raise refusal(_("Give a time within the half-day."), "time_outside_half_day", field)


@transaction.atomic
def line_note_times(
    *,
    line: AttendanceLine,
    by: User,
    arrived_at: dt.datetime | None = None,
    left_at: dt.datetime | None = None,
) -> AttendanceLine:
    """The trainer notes a late arrival or an early departure on a signed line, before
    countersigning; a time once noted is not changed (a correction is recorded instead)."""
    line = AttendanceLine.objects.select_related("sheet__half_day__session__site").get(pk=line.pk)
    half_day = line.sheet.half_day
    _trainer_check(half_day=half_day, by=by)
    sheet = AttendanceSheet.objects.select_for_update().get(pk=line.sheet_id)
    if sheet.is_final:
        raise refusal(_("This sheet is countersigned: record a correction."), "sheet_final")
    if line.presence != Presence.PRESENT:
        raise refusal(_("This learner is noted absent."), "absent")
    _within(half_day, arrived_at, "arrived_at")
    _within(half_day, left_at, "left_at")
    if (arrived_at and line.arrived_at) or (left_at and line.left_at):
        raise refusal(_("This time is already noted: record a correction."), "already_noted")
    if arrived_at and left_at and left_at <= arrived_at:
        raise refusal(_("The departure comes after the arrival."), "left_before_arrival")
    changed: list[str] = []
    if arrived_at:
        line.arrived_at = arrived_at
        changed.append("arrived_at")
    if left_at:
        line.left_at = left_at
        changed.append("left_at")
    if changed:
        line.save(update_fields=changed)
    return line


@transaction.atomic
def sheet_countersign(
    *,
    half_day: SessionHalfDay,
    by: User,
    image: str,
    now: dt.datetime | None = None,
) -> AttendanceSheet:
    """The trainer countersigns the sheet once every learner signed or was noted absent;
    the sheet is then final."""
    now = now or timezone.now()
    if half_day.session.trainer_id != by.pk:
        raise refusal(_("Only the session's trainer countersigns."), "not_trainer")
    if now < half_day.starts_at:
        raise refusal(_("This half-day has not started yet."), "not_started")
    sheet = _locked_sheet(half_day)
    if sheet.is_final:
        raise refusal(_("This sheet is already countersigned."), "sheet_final")
    on_sheet = set(
        AttendanceLine.objects.filter(sheet=sheet).values_list("enrolment_id", flat=True)
    )
    missing = Enrolment.objects.filter(
        session_id=half_day.session_id, status=EnrolmentStatus.CONFIRMED
    ).exclude(pk__in=on_sheet)
    if missing.exists():
        raise refusal(
            _("Some learners have neither signed nor been noted absent."), "learners_missing"
        )
    sheet.countersign_image = _png(image)
    sheet.countersign_means = SignatureMeans.DRAWN
    sheet.countersigned_by = by
    sheet.countersigned_at = now
    sheet.save(
        update_fields=[
            "countersign_image",
            "countersign_means",
            "countersigned_by",
            "countersigned_at",
        ]
    )
    return sheet


@transaction.atomic
def line_correct(
    *,
    line: AttendanceLine,
    by: User,
    reason: str,
    presence: str = "",
    arrived_at: dt.datetime | None = None,
    left_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Correction:
    """Record a correction beside a line (the line itself stays as signed): who, when, why
    and what is now held true. The hours attended follow the latest correction."""
    now = now or timezone.now()
    line = AttendanceLine.objects.select_related("sheet__half_day__session__site").get(pk=line.pk)
    half_day = line.sheet.half_day
    _trainer_check(half_day=half_day, by=by)
    if not reason.strip():
        raise refusal(_("Say why the sheet is corrected."), "reason_missing", "reason")
    if presence and presence not in Presence.values:
        raise refusal(_("Choose present or absent."), "invalid_presence", "presence")
    _within(half_day, arrived_at, "arrived_at")
    _within(half_day, left_at, "left_at")
    if not (presence or arrived_at or left_at):
        raise refusal(_("Say what is corrected."), "nothing_corrected")
    return Correction.objects.create(
        sheet=line.sheet,
        line=line,
        by=by,
        at=now,
        reason=reason.strip(),
        presence=presence,
        arrived_at=arrived_at,
        left_at=left_at,
    )
