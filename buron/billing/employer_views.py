"""The employer manager's pages: their employees' days against the contract, month by month,
per employee and per site, and the organisation's invoices; nothing else about them. A
person who manages no organisation is refused (403), an organisation they do not manage
does not exist for them (404)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from buron.accounts.requests import signed_in_user
from buron.employers import selectors as employers
from buron.employers.services import month_bounds

from . import selectors

MAX_LISTED = 120


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    """The organisations the person manages (straight to the one when there is one)."""
    managed = list(employers.organisations_managed(user=signed_in_user(request)))
    if not managed:
        return render(request, "billing/employer/forbidden.html", status=403)
    if len(managed) == 1:
        return redirect("billing_employer:usage", pk=managed[0].pk)
    return render(request, "billing/employer/organisations.html", {"organisations": managed})


def _month(value: str | None, today: dt.date) -> tuple[dt.date, bool]:
    """The month asked for (YYYY-MM), else this month; and whether the value was refused."""
    if not value:
        return today.replace(day=1), False
    try:
        month = dt.date.fromisoformat(f"{value[:7]}-01")
    except ValueError:
        return today.replace(day=1), True
    if len(value) != 7 or not (2000 <= month.year <= 2100):
        return today.replace(day=1), True
    return month, False


@login_required
def usage(request: HttpRequest, pk: int) -> HttpResponse:
    """One organisation's month: each employee's days against the contract, per site, and
    the organisation's invoices."""
    user = signed_in_user(request)
    organisation = employers.organisation_managed(user=user, organisation_id=pk)
    if organisation is None:
        raise Http404
    month, refused = _month(request.GET.get("mois"), timezone.localdate())
    first, last = month_bounds(month)
    invoices = (
        selectors.invoices_visible_to(user=user)
        .filter(customer_organisation=organisation)
        .select_related("credited_invoice")
        .order_by("-issued_on", "-sequence")[:MAX_LISTED]
    )
    return render(
        request,
        "billing/employer/usage.html",
        {
            "organisation": organisation,
            "month": first,
            "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
            "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"),
            "refused": refused,
            "contracts": employers.organisation_usage(organisation=organisation, month=first),
            "invoices": invoices,
        },
    )
