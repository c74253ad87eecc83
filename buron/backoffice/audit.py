"""The admin's side of the staff audit log: every save and delete made here is recorded.

Recorded from the admin's own hooks (save_model, delete_model, delete_queryset and
save_related for inline rows), with the row read back from the database before the change,
not from signals: only what staff do in the admin is a staff change, and each hook knows
who did it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from buron.accounts.requests import signed_in_user
from buron.audit.models import AuditAction
from buron.audit.services import audit_record, audit_snapshot


def _network_id(obj: models.Model, lookup: str | None) -> int | None:
    if lookup is None or obj.pk is None:
        return None
    value = type(obj)._default_manager.filter(pk=obj.pk).values_list(lookup, flat=True).first()
    return value if isinstance(value, int) else None


def _before(obj: models.Model) -> dict[str, Any] | None:
    """The row as stored (before a change, or after it: read back, as the database keeps it)."""
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return audit_snapshot(stored) if stored is not None else None


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Records each change made through this admin and its inlines in the audit log."""

    scope_network_lookup: str | None = None
    audit_main = True  # False for accounts: their rows hold secrets (roles are still recorded)

    def _audit(
        self, request: HttpRequest, obj: models.Model, *, action: str, before: Any, after: Any
    ) -> None:
        audit_record(
            actor=signed_in_user(request),
            obj=obj,
            action=action,
            before=before,
            after=after,
            network_id=_network_id(obj, self.scope_network_lookup),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _before(obj) if change else None
        super().save_model(request, obj, form, change)
        # Recorded in save_related, once the many-to-many values are saved too. Kept on the
        # request: admin instances are shared by every request.
        request._audit_pending = (obj, before, change) if self.audit_main else None  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        stored: list[tuple[models.Model, Any, dict[str, Any] | None]] = [
            (inline.instance, inline.instance.pk, _before(inline.instance))
            for formset in formsets
            for inline in formset.forms
            if inline.instance.pk is not None
        ]
        super().save_related(request, form, formsets, change)
        pending = getattr(request, "_audit_pending", None)
        if pending is not None:
            obj, before, was_change = pending
            action = AuditAction.CHANGE if was_change else AuditAction.CREATE
            self._audit(request, obj, action=action, before=before, after=_before(obj))
            request._audit_pending = None  # type: ignore[attr-defined]
        network_id = _network_id(form.instance, self.scope_network_lookup)
        for instance, pk, before in stored:
            row = type(instance)._default_manager.filter(pk=pk).first()
            instance.pk = pk
            if row is None:
                self._audit_inline(
                    request,
                    instance,
                    action=AuditAction.DELETE,
                    before=before,
                    after=None,
                    network_id=network_id,
                )
            else:
                after = audit_snapshot(row)
                self._audit_inline(
                    request,
                    row,
                    action=AuditAction.CHANGE,
                    before=before,
                    after=after,
                    network_id=network_id,
                )
        for formset in formsets:
            for instance in getattr(formset, "new_objects", []):
                created = _before(instance)
                self._audit_inline(
                    request,
                    instance,
                    action=AuditAction.CREATE,
                    before=None,
                    after=created,
                    network_id=network_id,
                )

    def _audit_inline(
        self,
        request: HttpRequest,
        obj: models.Model,
        *,
        action: str,
        before: Any,
        after: Any,
        network_id: int | None,
    ) -> None:
        own = getattr(obj, "network_id", None)  # a role or resource names its network
        audit_record(
            actor=signed_in_user(request),
            obj=obj,
            action=action,
            before=before,
            after=after,
            network_id=own if isinstance(own, int) else network_id,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = _before(obj)
        network_id = _network_id(obj, self.scope_network_lookup)
        pk = obj.pk
        super().delete_model(request, obj)
        if self.audit_main:
            obj.pk = pk
            audit_record(
                actor=signed_in_user(request),
                obj=obj,
                action=AuditAction.DELETE,
                before=before,
                after=None,
                network_id=network_id,
            )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        rows = [
            (obj, _before(obj), _network_id(obj, self.scope_network_lookup)) for obj in queryset
        ]
        super().delete_queryset(request, queryset)
        if not self.audit_main:
            return
        for obj, before, network_id in rows:
            audit_record(
                actor=signed_in_user(request),
                obj=obj,
                action=AuditAction.DELETE,
                before=before,
                after=None,
                network_id=network_id,
            )
