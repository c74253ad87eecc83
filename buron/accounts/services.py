"""Writes about people: members, their status over time, staff roles, API tokens, erasure."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buron.core.parsing import echoed
from buron.places.models import Commune

from . import erasure, events, light, privacy, store
from .models import ApiToken, MemberProfile, StatusPeriod, User, VisitorStatus
from .phones import phone_normalized

TOKEN_PREFIX = "brn_"  # noqa: S105 - a public prefix, not a secret


def _status_period_validated(
    *, user: User, status: str, employer_name: str, valid_from: dt.date
) -> StatusPeriod:
    errors: dict[str, str] = {}
    if status not in VisitorStatus.values:
        errors["status"] = _("Unknown status “%(value)s”. Choose one of: %(choices)s.") % {
            "value": echoed(status),
            "choices": ", ".join(VisitorStatus.values),
        }
    employer_name = employer_name.strip()
    if status == VisitorStatus.SALARIED_REMOTE and not employer_name:
        errors["employer_name"] = _("A salaried remote worker names their employer.")
    if errors:
        raise ValidationError(errors)
    if status != VisitorStatus.SALARIED_REMOTE:
        employer_name = ""
    return StatusPeriod(
        user=user, status=status, employer_name=employer_name, valid_from=valid_from
    )


@transaction.atomic
def member_create(
    *,
    email: str,
    password: str | None,
    status: str,
    employer_name: str = "",
    commune: Commune | None = None,
    first_name: str = "",
    last_name: str = "",
    verified: bool = False,
    language: str = "",
) -> User:
    """Create a member with their profile (emails in `language`, else the default) and
    first status. Nothing is written when a field is invalid."""
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account already uses this email address.")})
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    period = _status_period_validated(
        user=user, status=status, employer_name=employer_name, valid_from=timezone.localdate()
    )
    user.save()
    period.user = user
    period.save()
    profile = MemberProfile(user=user, commune=commune, calendar_digest=_unused_digest())
    if language:
        profile.language = language
    profile.save()
    if verified:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user


def member_profile_ensure(*, user: User) -> MemberProfile:
    """The member's profile, created on first use (staff created in the admin have none)."""
    profile, _created = MemberProfile.objects.get_or_create(
        user=user, defaults={"calendar_digest": _unused_digest()}
    )
    return profile


def _unused_digest() -> str:
    """The digest of a secret nobody is shown: no calendar address until the member makes
    one."""
    return _digest(secrets.token_urlsafe(32))


@transaction.atomic
def member_signup_complete(
    *,
    user: User,
    first_name: str,
    last_name: str,
    commune: Commune | None,
    status: str,
    employer_name: str = "",
) -> MemberProfile:
    """What the sign-up form adds to the account allauth created: names, commune, status."""
    profile = member_profile_update(
        user=user, first_name=first_name, last_name=last_name, commune=commune, phone=""
    )
    language = (get_language() or "fr")[:2]
    if language in dict(settings.LANGUAGES) and profile.language != language:
        profile.language = language  # the language the member signed up in
        profile.save(update_fields=["language"])
    member_status_change(
        user=user, status=status, employer_name=employer_name, valid_from=timezone.localdate()
    )
    return profile


@transaction.atomic
def member_profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    commune: Commune | None,
    phone: str,
    work_commune: Commune | None = None,
) -> MemberProfile:
    """Save what a member says about themselves: names on the account, the rest on the
    profile. The phone is checked and written the usual way (see phones.phone_normalized)."""
    try:
        phone = phone_normalized(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name"])
    profile = member_profile_ensure(user=user)
    profile.commune = commune
    profile.work_commune = work_commune
    profile.phone = phone
    profile.save(update_fields=["commune", "work_commune", "phone"])
    return profile


def member_email_preferences_update(
    *, user: User, reminders: bool, confirmations: bool, language: str
) -> MemberProfile:
    """Which non-essential emails the member gets: the reminder the day before a booking,
    and the confirmation of the bookings and cancellations they make themselves (the pages
    already show it). Account emails, and a host's move or cancellation of a booking, are
    always sent. Every email to the member speaks `language`."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    profile = member_profile_ensure(user=user)
    profile.email_reminders = reminders
    profile.email_confirmations = confirmations
    profile.language = language
    profile.save(update_fields=["email_reminders", "email_confirmations", "language"])
    return profile


@transaction.atomic
def member_status_change(
    *, user: User, status: str, employer_name: str = "", valid_from: dt.date
) -> StatusPeriod:
    """Record that from `valid_from` on the member has a new status (replacing a change
    already recorded for that day)."""
    period = _status_period_validated(
        user=user, status=status, employer_name=employer_name, valid_from=valid_from
    )
    StatusPeriod.objects.filter(user=user, valid_from=valid_from).delete()
    period.save()
    events.status_changed(user, valid_from)
    return period


@transaction.atomic
def member_status_remove(*, user: User, valid_from: dt.date, today: dt.date | None = None) -> None:
    """Remove a status change recorded by mistake. Only a change still to come can go
    (what already happened stays as it was counted), and never the member's only status."""
    today = today or timezone.localdate()
    if valid_from <= today:
        raise ValidationError(
            _("Only a change still to come can be removed; record a new change instead."),
            code="status_started",
        )
    periods = StatusPeriod.objects.select_for_update().filter(user=user)
    if not periods.filter(valid_from=valid_from).exists():
        raise ValidationError(_("No status change is recorded on that day."), code="not_found")
    if periods.count() == 1:
        raise ValidationError(
            _("This is your only status: record another before removing it."), code="only"
        )
    periods.filter(valid_from=valid_from).delete()
    events.status_changed(user, valid_from)


def calendar_token_rotate(*, user: User) -> str:
    """Make the member's calendar address a new secret and return it (to show it once): only
    its digest is kept, and the old address stops working."""
    profile = member_profile_ensure(user=user)
    token = secrets.token_urlsafe(32)
    profile.calendar_digest = _digest(token)
    profile.save(update_fields=["calendar_digest"])
    return token


def calendar_digest(token: str) -> str:
    """What is stored of a calendar address's secret."""
    return _digest(token)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "") -> str:
    """Create a personal API token and return it; only its digest is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=token[:10], digest=_digest(token))
    return token


def api_token_user(*, token: str) -> User | None:
    """The active user a token belongs to, or None (one statement: every API call asks)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    found = store.token_user(digest=_digest(token))
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=found.token_id).update(last_used_at=now)
    return found.user


def member_data_export(*, user: User) -> dict[str, Any]:
    """Everything Buron holds about a member, as JSON-ready data."""
    profile = (
        MemberProfile.objects.filter(user=user).select_related("commune", "work_commune").first()
    )
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": {
            "commune": (
                {"insee_code": profile.commune.insee_code, "name": profile.commune.name}
                if profile and profile.commune
                else None
            ),
            "work_commune": (
                {"insee_code": profile.work_commune.insee_code, "name": profile.work_commune.name}
                if profile and profile.work_commune
                else None
            ),
            "phone": profile.phone if profile else "",
            "email_reminders": profile.email_reminders if profile else True,
            "email_confirmations": profile.email_confirmations if profile else True,
            "language": profile.language if profile else "fr",
        },
        "statuses": [
            {"status": p.status, "employer_name": p.employer_name, "from": p.valid_from.isoformat()}
            for p in StatusPeriod.objects.filter(user=user).order_by("valid_from")
        ],
        "email_addresses": erasure.email_records_export(user),
        "staff_roles": erasure.roles_export(user),
        "api_tokens": erasure.api_tokens_export(user),
        "second_factors": erasure.second_factors_export(user),
        "api_requests_kept_for_replay": erasure.api_requests_export(user),
    }
    for holder in privacy.holders():
        data[holder.name] = holder.export(user)
    return data


@transaction.atomic
def member_close(*, user: User) -> list[privacy.Affected]:
    """Close an account: its bookings still to come are given up, its personal data erased
    everywhere it was copied, anonymous records kept. Returns the bookings given up (for the
    staff who closed it to see).

    The user row stays (anonymous, inactive, unusable password) so that bookings and
    invoices keep pointing at one anonymous person, which statistics of distinct visitors
    need; every app holding personal data erases its part first (see privacy.register).
    Invoices keep the customer's name and address: the law keeps them ten years.
    """
    affected: list[privacy.Affected] = []
    for holder in privacy.holders():
        if holder.erase is not None:
            affected.extend(holder.erase(user) or [])
    # The admin's history names the account by its email or name: keep the entry, not them.
    erasure.admin_log_forget(user)
    erasure.access_forget(user)
    MemberProfile.objects.filter(user=user).delete()
    StatusPeriod.objects.filter(user=user).delete()
    user.staff_roles.all().delete()
    user.email = f"erased-{uuid.uuid4().hex}@erased.invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    return affected


@transaction.atomic
def member_light_create(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    status: str,
    employer_name: str = "",
    commune: Commune | None,
    language: str = "",
) -> User:
    """Create a light member (see accounts.light): a person a host books for at the desk,
    with a name, a status and a commune; an email only if they gave one, and the language
    of their emails (else the default). Nobody can sign in
    as them until they claim the account (member_invite). Refused, writing nothing, without
    a name, a commune or a valid status, or when a member already uses the email."""
    errors: dict[str, str] = {}
    if not (first_name.strip() or last_name.strip()):
        errors["last_name"] = _("Give the person's name.")
    if commune is None:
        errors["commune"] = _("Give the person's commune of residence.")
    if errors:
        raise ValidationError(errors)
    user = member_create(
        email=email.strip() or light.placeholder_email(),
        password=None,  # unusable: nobody signs in as a light member
        status=status,
        employer_name=employer_name,
        commune=commune,
        first_name=first_name,
        last_name=last_name,
        language=language,
    )
    if not light.is_placeholder_email(user.email):
        from allauth.account.models import EmailAddress

        # Unverified until they use the invitation and sign in.
        EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def member_invite(*, user: User) -> bool:
    """Email a light member an invitation to claim their account: a signed, single-use link
    of allauth's password reset (valid PASSWORD_RESET_TIMEOUT) where they choose a password.
    Sent when the transaction commits, in the language of their emails; nothing is sent to
    a placeholder address. Returns whether an invitation goes out."""
    if light.is_placeholder_email(user.email) or not light.is_light_member(user):
        return False
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    from buron.core.emails import email_deliver, email_render

    from .selectors import email_sender_name

    with translation.override(member_profile_ensure(user=user).language):
        # The link too: its path is in their language (/en/… in English).
        link = settings.SITE_URL + reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
        name = email_sender_name()
        message = email_render(
            prefix="accounts/email/invitation",
            context={
                "user": user,
                "network_name": name,
                "claim_url": link,
                "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
                "site_url": settings.SITE_URL,
            },
        )
    to = [user.email]
    transaction.on_commit(
        lambda: email_deliver.enqueue(
            to=to, subject=message.subject, text=message.text, html=message.html, sender_name=name
        )
    )
    return True
