"""The observatory API: headline figures for the caller's scope (mounted by buron.api)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params.functions import Query

from buron.accounts.auth import api_token_auth
from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import staff_scope
from buron.core.parsing import date_from_text

from . import selectors

router = Router(tags=["observatory"])

# Long enough for a multi-year trend, short enough to stay a quick read.
MAX_DAYS = 5 * 366


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class SummaryOut(Schema):
    occupancy_rate: float = Field(
        description="Occupied bookable half-days / open bookable half-days (0 to 1)."
    )
    open_half_days: int
    occupied_half_days: int
    visits: int
    unique_visitors: int
    share_by_status: dict[str, float] = Field(
        description="Visitor status code → share of visits (summing to 1)."
    )
    no_show_rate: float = Field(description="Bookings released as no-shows / bookings due.")
    km_avoided: float
    co2_kg_avoided: float
    training_days: float = Field(
        description="Learner-days of training: learner half-days attended / 2."
    )


@router.get(
    "/observatory/summary",
    auth=api_token_auth,
    response={200: SummaryOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Headline figures for a period: a host's sites, a network, or everything",
)
def summary(
    request: HttpRequest,
    start: str | None = Query(None, alias="from", description="YYYY-MM-DD, first day."),
    end: str | None = Query(None, alias="to", description="YYYY-MM-DD, last day."),
    site: str | None = Query(None, description="A site slug within your scope."),
) -> Status[Any]:
    scope = staff_scope(user=signed_in_user(request))
    if not scope.is_staff:
        return Status(
            403, {"detail": _("The observatory is for site hosts and network staff."), "errors": {}}
        )
    errors: dict[str, list[str]] = {}
    days: dict[str, dt.date | None] = {}
    for name, value in (("from", start), ("to", end)):
        try:
            days[name] = date_from_text(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    first, last = days.get("from"), days.get("to")
    if first and last and last < first:
        errors["to"] = [_("The last day comes before the first.")]
    elif first and last and (last - first).days >= MAX_DAYS:
        errors["to"] = [_("Ask for %(days)s days at most.") % {"days": MAX_DAYS}]
    if errors or first is None or last is None:
        return Status(422, {"detail": next(iter(errors.values()))[0], "errors": errors})
    sites = selectors.observed_sites(scope=scope)
    if site is not None:
        sites = sites.filter(slug=site)
        if not sites.exists():
            return Status(
                404, {"detail": _("You manage no site with this short name."), "errors": {}}
            )
    figures = selectors.summary_for(sites=sites, start=first, end=last)
    return Status(
        200,
        {
            "occupancy_rate": figures.occupancy_rate,
            "open_half_days": figures.open_half_days,
            "occupied_half_days": figures.occupied_half_days,
            "visits": figures.visits,
            "unique_visitors": figures.unique_visitors,
            "share_by_status": figures.share_by_status,
            "no_show_rate": figures.no_show_rate,
            "km_avoided": float(figures.km_avoided),
            "co2_kg_avoided": float(figures.co2_kg_avoided),
            "training_days": float(selectors.training_days_for(sites=sites, start=first, end=last)),
        },
    )
