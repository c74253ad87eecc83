"""What accounts itself holds about a person beyond the profile, exported and erased on
closing: email addresses, roles, API tokens and their use, second factors, idempotency
records, rate counters, and the Django admin's history (which copies names and emails into
its descriptions).

Apps above accounts erase their own copies through `privacy.register`; these are the parts
that belong to accounts and the frameworks it runs on (django-allauth, the admin, core).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from buron.core.models import IdempotencyRecord, RateCounter

from .models import ApiToken, StaffRole, User


def email_records_export(user: User) -> list[dict[str, Any]]:
    """The email addresses recorded for the account and whether each is verified."""
    from allauth.account.models import EmailAddress

    return [
        {"email": e.email, "verified": e.verified, "primary": e.primary}
        for e in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


def roles_export(user: User) -> list[dict[str, Any]]:
    """The person's staff roles: which network, which site."""
    return [
        {
            "role": r.role,
            "network": r.network.slug,
            "site": r.site.slug if r.site is not None else None,
        }
        for r in StaffRole.objects.filter(user=user).select_related("network", "site")
    ]


def api_tokens_export(user: User) -> list[dict[str, Any]]:
    """The person's API tokens and when each was last used (never the secret nor its
    digest: only the public prefix that names it)."""
    return [
        {
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        }
        for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    ]


def second_factors_export(user: User) -> list[dict[str, Any]]:
    """The second factors enrolled (their kind and dates, never their secrets)."""
    from allauth.mfa.models import Authenticator

    return [
        {
            "type": a.type,
            "created_at": a.created_at.isoformat(),
            "last_used_at": a.last_used_at.isoformat() if a.last_used_at else None,
        }
        for a in Authenticator.objects.filter(user=user).order_by("pk")
    ]


def api_requests_export(user: User) -> list[dict[str, Any]]:
    """The API answers kept for replay (Idempotency-Key): kept a week, then purged."""
    return [
        {
            "key": r.key,
            "status_code": r.status_code,
            "answer": r.body,
            "created_at": r.created_at.isoformat(),
        }
        for r in IdempotencyRecord.objects.filter(user=user).order_by("created_at", "pk")
    ]


def _login_counters_forget(email: str) -> None:
    """Drop the failed-login counters kept under the person's email address (django-allauth
    keys them by a digest of it; only the per-address rates use a request)."""
    from allauth.account import app_settings
    from allauth.core.internal.ratelimit import get_cache_key, get_rates
    from django.core.cache import cache
    from django.http import HttpRequest

    request = HttpRequest()
    for action in app_settings.RATE_LIMITS or {}:
        for rate in get_rates(app="allauth.account", action=action):
            if rate.per == "key":
                key = get_cache_key(
                    request, app="allauth.account", action=action, rate=rate, key=email
                )
                cache.delete(key)


def admin_log_forget(user: User) -> None:
    """The admin's history keeps its entries, not the names or emails they copied: the
    entries about the account, and any whose description or message names the person."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    names = Q(object_repr__icontains=user.email) | Q(change_message__icontains=user.email)
    full_name = user.get_full_name().strip()
    if user.first_name and user.last_name:
        names |= Q(object_repr__icontains=full_name) | Q(change_message__icontains=full_name)
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    for entry in LogEntry.objects.filter(about | names):
        entry.object_repr = f"#{entry.object_id}"
        entry.change_message = ""
        entry.save(update_fields=["object_repr", "change_message"])


def access_forget(user: User) -> None:
    """Everything that lets the account in or counts its calls: API tokens (and their rate
    counters), second factors, idempotency records, email addresses, login counters."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    digests = list(ApiToken.objects.filter(user=user).values_list("digest", flat=True))
    names = [f"api:token:{d}" for d in digests]
    RateCounter.objects.filter(name__in=names).delete()
    if settings.REDIS_URL and names:
        from django_redis import get_redis_connection

        redis = get_redis_connection("default")
        for name in names:
            for key in redis.scan_iter(f"{settings.CACHE_KEY_PREFIX}:rate:{name}:*"):
                redis.delete(key)
    ApiToken.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    IdempotencyRecord.objects.filter(user=user).delete()
    emails = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    for email in emails:
        _login_counters_forget(email)
        _login_counters_forget(email.lower())
    EmailAddress.objects.filter(user=user).delete()
