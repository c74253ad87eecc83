"""Recording staff changes, and forgetting the people in them on erasure.

Called explicitly by the admin (buron/backoffice) around each save and delete, never from
signals: a change made by a script or a service is not a staff change in the admin.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile

from buron.accounts.models import User

from .models import AuditAction, AuditEntry

# Field names that may name or describe a person: blanked in the entries about someone who
# asks for erasure (and never recorded for accounts at all: see NOT_AUDITED).
PERSONAL_FIELDS = frozenset(
    {"note", "employer_name", "first_name", "last_name", "email", "phone", "name_override"}
)
NOT_AUDITED = frozenset({"password", "last_login"})
ERASED = "—"


def audit_snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's own field values, JSON-ready (foreign keys as ids, many-to-many as id lists)."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in NOT_AUDITED:
            continue
        value = field.value_from_object(obj)
        values[field.attname] = value.name or "" if isinstance(value, FieldFile) else value
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            values[m2m.name] = sorted(getattr(obj, m2m.attname).values_list("pk", flat=True))
    stored: dict[str, Any] = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return stored


def _subject(obj: models.Model) -> int | None:
    """The person a row is about: a role's holder, a booking's member."""
    for name in ("member_id", "user_id"):
        value = getattr(obj, name, None)
        if isinstance(value, int):
            return value
    return None


def audit_record(
    *,
    actor: User | None,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    network_id: int | None,
) -> AuditEntry | None:
    """Write one entry (none when a change changed nothing)."""
    if action == AuditAction.CHANGE and before == after:
        return None
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        network_id=network_id,
        action=action,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        subject_id=_subject(obj),
    )


def _scrub(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: (ERASED if k in PERSONAL_FIELDS and v else v) for k, v in values.items()}


def audit_forget(user: User) -> None:
    """Erasure: the entries about this person keep what changed, not what names them (the
    entries whose row is about them, and any whose description copied their email).

    Entries they made as staff stay attached to their (now anonymous) account.
    """
    about = Q(subject=user)
    if user.email:
        about |= Q(object_repr__icontains=user.email)
    for entry in AuditEntry.objects.filter(about):
        entry.before = _scrub(entry.before)
        entry.after = _scrub(entry.after)
        entry.object_repr = f"{entry.model} #{entry.object_id}"
        entry.save(update_fields=["before", "after", "object_repr"])


def _entry_export(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "action": entry.action,
        "model": entry.model,
        "object": entry.object_id,
        "before": entry.before,
        "after": entry.after,
    }


def audit_actor_export(user: User) -> dict[str, list[dict[str, Any]]]:
    """For their data export: what this person changed as staff (what and when), and the
    entries about them (a role given to them, a booking changed for them by staff)."""
    return {
        "made": [
            {"at": e.at.isoformat(), "action": e.action, "model": e.model, "object": e.object_id}
            for e in AuditEntry.objects.filter(actor=user).order_by("at", "id")
        ],
        "about_them": [
            _entry_export(e) for e in AuditEntry.objects.filter(subject=user).order_by("at", "id")
        ],
    }
