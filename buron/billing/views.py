"""Invoice pages: a member's (and an organisation manager's) invoices, the staff list of a
network's invoices and its accounting exports, and the PDF download."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import staff_scope

from . import exports, selectors, services
from .forms import PaymentForm, PeriodForm
from .payments import payment_adapter, payment_confirm
from .services import InvoiceRefused

MAX_LISTED = 200


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    invoices = selectors.invoices_visible_to(user=user)
    own = invoices.filter(customer_user=user).order_by("-issued_on", "-sequence")[:MAX_LISTED]
    managed = (
        invoices.filter(customer_organisation__managers=user)
        .select_related("customer_organisation")
        .order_by("-issued_on", "-sequence")[:MAX_LISTED]
    )
    return render(request, "billing/mine.html", {"own": own, "managed": managed})


@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    invoice = selectors.invoice_visible(user=user, invoice_id=pk)
    if invoice is None:
        raise Http404
    invoice = services.invoice_pdf_render(invoice=invoice)
    with invoice.pdf.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


def _staff_or_403(request: HttpRequest) -> HttpResponse | None:
    scope = staff_scope(user=signed_in_user(request))
    if not (scope.everything or scope.network_ids):
        return render(request, "billing/forbidden.html", status=403)
    return None


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    refused = _staff_or_403(request)
    if refused is not None:
        return refused
    user = signed_in_user(request)
    form = PeriodForm(request.GET or None)
    invoices = selectors.invoices_staff(user=user).select_related("credited_invoice")
    if form.is_valid():
        invoices = invoices.filter(
            issued_on__gte=form.cleaned_data["start"], issued_on__lte=form.cleaned_data["end"]
        )
    rows = invoices.order_by("-issued_on", "-sequence")[:MAX_LISTED]
    return render(request, "billing/staff_list.html", {"invoices": rows, "form": form})


@login_required
def staff_export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    refused = _staff_or_403(request)
    if refused is not None:
        return refused
    form = PeriodForm(request.GET)
    if what not in exports.TABLES or fmt not in exports.FORMATS or not form.is_valid():
        return render(
            request, "billing/staff_list.html", {"form": form, "invoices": []}, status=400
        )
    start: dt.date = form.cleaned_data["start"]
    end: dt.date = form.cleaned_data["end"]
    content, content_type, filename = exports.export_file(
        user=signed_in_user(request), what=what, fmt=fmt, start=start, end=end
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@csrf_exempt  # called by the card provider, not by a browser: the adapter checks its signature
@require_POST
def payment_callback(request: HttpRequest) -> HttpResponse:
    adapter = payment_adapter()
    if not adapter.online:
        raise Http404
    try:
        payment = payment_confirm(
            adapter=adapter, payload=request.POST.dict(), today=timezone.localdate()
        )
    except InvoiceRefused as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain")
    return HttpResponse(f"ok {payment.pk}", content_type="text/plain")


@login_required
def staff_payment(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _staff_or_403(request)
    if refused is not None:
        return refused
    user = signed_in_user(request)
    invoice = selectors.invoices_staff(user=user).filter(pk=pk, kind="invoice").first()
    if invoice is None:
        raise Http404
    form = PaymentForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            payment_adapter().record(invoice=invoice, by=user, **form.cleaned_data)
        except InvoiceRefused as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("billing:staff_list")
    context = {
        "invoice": invoice,
        "form": form,
        "remaining": services.invoice_remaining(invoice=invoice),
        "payments": invoice.payments.order_by("paid_on", "pk"),
    }
    return render(
        request, "billing/staff_payment.html", context, status=422 if form.is_bound else 200
    )
