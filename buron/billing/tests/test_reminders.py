"""Reminders of overdue invoices: emailed once a week at most, to the member or the
organisation's managers; paid or not yet due invoices are left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from buron.billing import services, tasks

from .factories import desk_day

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2026, 3, 1)


def test_overdue_invoices_are_reminded_once_a_week(seller, member, organisation):
    manager = organisation.managers.create(email="boss@example.org")
    overdue = services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_user=member, issued_on=ISSUED, render=False
    )
    services.invoice_issue(
        seller=seller,
        lines=[desk_day()],
        customer_organisation=organisation,
        issued_on=ISSUED,
        render=False,
    )
    paid = services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_user=member, issued_on=ISSUED, render=False
    )
    services.payment_record(invoice=paid, amount=Decimal("40.01"), method="desk", paid_on=ISSUED)
    services.invoice_issue(  # not due yet
        seller=seller,
        lines=[desk_day()],
        customer_user=member,
        issued_on=dt.date(2026, 4, 1),
        render=False,
    )
    assert tasks.invoice_reminders_send(today=dt.date(2026, 4, 15)) == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == [manager.email, member.email]
    reminder = next(m for m in mail.outbox if m.to == [member.email])
    assert overdue.number in reminder.subject and "40,01" in reminder.body
    assert tasks.invoice_reminders_send(today=dt.date(2026, 4, 16)) == 0


def test_the_task_runs(seller, member):
    services.invoice_issue(
        seller=seller, lines=[desk_day()], customer_user=member, issued_on=ISSUED, render=False
    )
    result = tasks.invoice_reminders.enqueue()
    assert result.return_value == 1
