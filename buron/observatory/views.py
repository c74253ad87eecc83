"""The observatory's pages: figures, charts and tables for a period and the sites the
user manages; their exports (CSV, XLSX, ODS), the yearly report (PDF) and the open-data
export. Deny by default: anyone but staff gets 403; a site outside their scope, 404."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import Scope, staff_scope
from buron.places.models import Site

from . import opendata, report, selectors
from .forms import PeriodForm
from .revenue import invoice_networks_for
from .tables import FORMATS, Table, dashboard_tables, export


def _scope(request: HttpRequest) -> Scope:
    scope = staff_scope(user=signed_in_user(request))
    if not scope.is_staff:
        raise PermissionDenied
    return scope


def _scope_sites(request: HttpRequest) -> QuerySet[Site]:
    return selectors.observed_sites(scope=_scope(request))


def _period(request: HttpRequest) -> tuple[PeriodForm, QuerySet[Site], dt.date, dt.date]:
    """The form and, when valid, the chosen sites and days (this year by default)."""
    sites = _scope_sites(request)
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("start", today.replace(month=1, day=1).isoformat())
    data.setdefault("end", today.isoformat())
    form = PeriodForm(data, sites=sites)
    if not form.is_valid():
        if "site" in form.errors:
            raise Http404
        return form, sites.none(), today, today
    chosen = form.cleaned_data["site"]
    if chosen is not None:
        sites = sites.filter(pk=chosen.pk)
    return form, sites, form.cleaned_data["start"], form.cleaned_data["end"]


def _reference_network(sites: QuerySet[Site]) -> int | None:
    networks = set(sites.values_list("network_id", flat=True))
    return networks.pop() if len(networks) == 1 else None


def _tables(
    request: HttpRequest, sites: QuerySet[Site], start: dt.date, end: dt.date, *, chosen: bool
) -> list[Table]:
    networks = invoice_networks_for(scope=_scope(request), sites=sites, site_chosen=chosen)
    dashboard = selectors.dashboard_for(
        sites=sites,
        start=start,
        end=end,
        reference_network_id=_reference_network(sites),
        invoice_network_ids=networks,
    )
    return dashboard_tables(dashboard)


def _chosen(form: PeriodForm) -> bool:
    return form.is_valid() and form.cleaned_data["site"] is not None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The observatory: every indicator for the period and sites, chart beside table."""
    form, sites, start, end = _period(request)
    tables = _tables(request, sites, start, end, chosen=_chosen(form)) if form.is_valid() else []
    return render(
        request,
        "observatory/dashboard.html",
        {
            "form": form,
            "tables": tables,
            "query": request.GET.urlencode(),
            "formats": list(FORMATS),
            "year": end.year,
        },
    )


@login_required
def table_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the page's tables as CSV, XLSX or ODS."""
    if fmt not in FORMATS:
        raise Http404
    form, sites, start, end = _period(request)
    if not form.is_valid():
        raise Http404
    tables = _tables(request, sites, start, end, chosen=_chosen(form))
    found = next((t for t in tables if t.slug == table), None)
    if found is None:
        raise Http404
    response = HttpResponse(export(found, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="observatoire-{table}-{start}-{end}.{fmt}"'
    )
    return response


@login_required
def yearly_report(request: HttpRequest, year: int) -> HttpResponse:
    """The yearly report for the funder (PDF): headline figures and charts."""
    sites = _scope_sites(request)
    site = request.GET.get("site")
    if site:
        sites = sites.filter(slug=site)
        if not sites.exists():
            raise Http404
    if not 2000 <= year <= 2100:
        raise Http404
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    tables = _tables(request, sites, start, end, chosen=bool(site))
    pdf = report.yearly_report_pdf(sites=sites, year=year, tables=tables)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="observatoire-{year}.pdf"'
    return response


@login_required
def open_data(request: HttpRequest, fmt: str) -> HttpResponse:
    """The anonymous open-data export per site and month (see opendata.py)."""
    if fmt not in FORMATS:
        raise Http404
    form, sites, start, end = _period(request)
    if not form.is_valid():
        raise Http404
    data = opendata.open_data_dataset(sites=sites, start=start, end=end)
    out = data.export(fmt)
    body = out.encode("utf-8") if isinstance(out, str) else bytes(out)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="donnees-ouvertes-{start}-{end}.{fmt}"'
    return response
