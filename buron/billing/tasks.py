"""Background work on invoices: reminders of overdue invoices."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from .models import Invoice
from .selectors import invoices_overdue
from .services import invoice_remaining

REMIND_EVERY_DAYS = 7


def invoice_reminders_send(*, today: dt.date) -> int:
    """Email the customer of each overdue invoice (at most once a week per invoice);
    returns how many reminders were sent."""
    now = timezone.now()
    sent = 0
    overdue = invoices_overdue(today=today).select_related("customer_organisation", "seller")
    for invoice in overdue:
        if invoice.reminded_at and now - invoice.reminded_at < dt.timedelta(days=REMIND_EVERY_DAYS):
            continue
        recipients = _recipients(invoice)
        if not recipients:
            continue
        with translation.override("fr"):
            context = {"invoice": invoice, "remaining": invoice_remaining(invoice=invoice)}
            subject = render_to_string("billing/email/reminder_subject.txt", context).strip()
            body = render_to_string("billing/email/reminder.txt", context)
        send_mail(subject, body, None, recipients)
        Invoice.objects.filter(pk=invoice.pk).update(reminded_at=now)
        sent += 1
    return sent


def _recipients(invoice: Invoice) -> list[str]:
    if invoice.customer_organisation is not None:
        return sorted(
            invoice.customer_organisation.managers.exclude(email="").values_list("email", flat=True)
        )
    return [invoice.customer_email] if invoice.customer_email else []


@task()
def invoice_reminders() -> int:
    """Daily: remind the customers of overdue invoices."""
    return invoice_reminders_send(today=timezone.localdate())
