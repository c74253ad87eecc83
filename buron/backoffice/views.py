"""The operator's home under /gestion/, for network administrators and site hosts: the day
and the week at a glance per site, their members (search, CSV export), the booking rules in
force, and the walk-in's booking (a person without an account, booked for in one step).

Deny by default: a signed-in person who manages no site gets 403 on every page here; a
site page finds the site among those the user manages (404 for any other); every figure
and every member listed comes from the sites in the user's scope.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from buron.accounts.light import is_light_member, is_placeholder_email
from buron.accounts.models import User, VisitorStatus
from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import Scope, staff_scope
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.forms import add_refusal
from buron.booking.selectors import managed_sites
from buron.places.models import Site

from . import selectors, services
from .forms import MemberSearchForm, WalkInBookForm

MEMBERS_PER_PAGE = 50
# A cell starting with one of these is a formula to a spreadsheet: quoted in exports.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

StaffView = Callable[..., HttpResponseBase]


def staff_page(view: StaffView) -> Callable[..., HttpResponseBase]:
    """A page for staff only: the view gets the user's scope; 403 for anybody else."""

    @login_required
    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        scope = staff_scope(user=signed_in_user(request))
        if not scope.is_staff:
            return render(request, "booking/manage/forbidden.html", status=403)
        return view(request, scope, *args, **kwargs)

    return page


@staff_page
def home(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Today and this week at a glance for each site the user manages."""
    glance = selectors.glance(scope=scope)
    return render(
        request,
        "backoffice/home.html",
        {
            "glance": glance,
            "sites": [row.site for row in glance.sites],
            "totals": glance.totals(),
            "is_admin_user": request.user.is_staff,
        },
    )


def _filters(form: MemberSearchForm) -> selectors.MemberFilter:
    if not form.is_valid():
        return selectors.MemberFilter()
    data = form.cleaned_data
    return selectors.MemberFilter(text=data["q"], status=data["status"], commune=data["commune"])


@staff_page
def members(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The members of the user's sites, searched by name or email, status and commune."""
    form = MemberSearchForm(request.GET or None)
    found = selectors.members(scope=scope, filters=_filters(form))
    page = Paginator(found, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/members.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(user) for user in page.object_list],
            "query": query.urlencode(),
        },
    )


def _row(user: User) -> dict[str, Any]:
    profile = getattr(user, "profile", None)
    commune = profile.commune if profile else None
    status = getattr(user, "started_status", None) or getattr(user, "first_status", None) or ""
    last = getattr(user, "last_booking", None)
    return {
        "user": user,
        "name": user.get_full_name(),
        "email": "" if is_placeholder_email(user.email) else user.email,
        "status": dict(VisitorStatus.choices).get(status, ""),
        "commune": commune,
        "last_booking": timezone.localdate(last) if last else None,
        "light": is_light_member(user),
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@staff_page
def members_csv(request: HttpRequest, scope: Scope) -> StreamingHttpResponse:
    """The same list as the page (same search), as CSV (UTF-8 with BOM, for spreadsheets)."""
    form = MemberSearchForm(request.GET or None)
    found = selectors.members(scope=scope, filters=_filters(form))
    writer = csv.writer(_Echo())
    header = [
        _("Last name"),
        _("First name"),
        _("Email"),
        _("Status"),
        _("Commune"),
        _("INSEE code"),
        _("Last booking"),
        _("Account"),
    ]

    def lines() -> Any:
        yield "\ufeff" + writer.writerow(header)
        for user in found.iterator(chunk_size=500):
            row = _row(user)
            commune = row["commune"]
            yield writer.writerow(
                [
                    _cell(user.last_name),
                    _cell(user.first_name),
                    _cell(row["email"]),
                    row["status"],
                    _cell(commune.name if commune else ""),
                    commune.insee_code if commune else "",
                    row["last_booking"].isoformat() if row["last_booking"] else "",
                    _("not claimed yet") if row["light"] else _("active"),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="membres.csv"'
    return response


@staff_page
def rules(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The booking rules each site follows: its own, its network's or the defaults."""
    return render(
        request,
        "backoffice/rules.html",
        {
            "rows": selectors.rules_in_force(scope=scope),
            "default": selectors.default_policy(),
            "is_admin_user": request.user.is_staff,
        },
    )


def _slot(form: WalkInBookForm) -> services.Slot:
    data = form.cleaned_data
    if form.is_hourly:
        start, end = form.times()
        return services.Slot(day=data["date"], resource=data["resource"], start=start, end=end)
    return services.Slot(
        day=data["date"], period=data["period"], kind=data["kind"], resource=data["resource"]
    )


def _person(form: WalkInBookForm) -> services.Person:
    data = form.cleaned_data
    return services.Person(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        status=data["status"],
        employer_name=data["employer_name"],
        commune=data["commune"],
        language=data["language"] or translation.get_language() or "",
    )


def _walk_in_done(request: HttpRequest, site: Site, form: WalkInBookForm) -> bool:
    """Book for the walk-in (or the member holding their email, when the host chose so);
    the form's errors say why not."""
    host = signed_in_user(request)
    try:
        if form.for_member and form.existing is not None:
            booking = services.book_for_member(
                site=site, member=form.existing, slot=_slot(form), by=host
            )
            invited = False
        else:
            result = services.walk_in_book(
                site=site, person=_person(form), slot=_slot(form), by=host
            )
            booking, invited = result.booking, result.invited
    except (BookingRefused, ValidationError) as exc:
        add_refusal(form, exc)
        return False
    except SlotTaken as exc:
        form.add_error(None, exc.message)
        return False
    text = _("Booked %(resource)s for %(name)s.") % {
        "resource": booking.resource.name,
        "name": booking.member.get_full_name() if booking.member else "",
    }
    if invited:
        text += " " + _("An invitation to choose a password is on its way to them.")
    messages.success(request, text)
    return True


@staff_page
def walk_in(request: HttpRequest, scope: Scope, slug: str) -> HttpResponse:
    """A host books for a person without an account: their light member record (name,
    status, commune, email if any) and the booking, in one step."""
    site = get_object_or_404(managed_sites(scope=scope).select_related("network"), slug=slug)
    with timezone.override(site.network.time_zone):
        form = WalkInBookForm(
            request.POST or None,
            site=site,
            initial={"date": timezone.localdate(), "language": translation.get_language()},
        )
        if request.method == "POST" and form.is_valid() and _walk_in_done(request, site, form):
            day = form.cleaned_data["date"]
            return redirect(
                reverse("booking:manage_site", kwargs={"slug": site.slug}) + f"?date={day:%Y-%m-%d}"
            )
        offer_member = form.has_error("email", "member_exists")
        return render(
            request,
            "backoffice/walk_in.html",
            {"site": site, "form": form, "offer_member": offer_member},
            status=422 if request.method == "POST" else 200,
        )
