"""Reads on invoices: who may see which, and what remains due."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope

from .models import Invoice, Kind, Status


def invoices_visible_to(*, user: User) -> QuerySet[Invoice]:
    """Issued invoices and credit notes the person may see: their own, their organisations'
    (as a manager), their networks' (as an administrator), all (as a superuser). Deny by
    default: anybody else sees none, and drafts are never listed here."""
    issued = Invoice.objects.exclude(status=Status.DRAFT)
    if not user.is_authenticated or not user.is_active:
        return issued.none()
    if user.is_superuser:
        return issued
    scope = staff_scope(user=user)
    condition = Q(customer_user=user) | Q(customer_organisation__managers=user)
    if scope.network_ids:
        condition |= Q(network_id__in=scope.network_ids)
    return issued.filter(condition).distinct()


def invoice_visible(*, user: User, invoice_id: int) -> Invoice | None:
    """One invoice the person may see, or None (whether it exists or not)."""
    return invoices_visible_to(user=user).filter(pk=invoice_id).first()


def invoices_staff(*, user: User) -> QuerySet[Invoice]:
    """Issued invoices of the networks the person administers (all for a superuser)."""
    issued = Invoice.objects.exclude(status=Status.DRAFT)
    scope = staff_scope(user=user)
    if scope.everything:
        return issued
    return issued.filter(network_id__in=scope.network_ids)


def invoices_overdue(*, today: dt.date) -> QuerySet[Invoice]:
    """Invoices still due after their due date."""
    return Invoice.objects.filter(kind=Kind.INVOICE, status=Status.DUE, due_on__lt=today)
