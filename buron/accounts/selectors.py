"""Reads about people: a member's status on a day, and what a staff member may manage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from buron.places.models import Network, Site

from .models import Role, StaffRole, StatusPeriod, User


class HasValidFrom(Protocol):
    """A status period as the rule below reads it."""

    @property
    def valid_from(self) -> dt.date: ...


P = TypeVar("P", bound=HasValidFrom)


def status_among(*, periods: Sequence[P], day: dt.date) -> P | None:
    """THE rule for a member's status on a day, given their periods oldest first: the
    latest period started by that day, else the first one (a status entered late still
    describes the days before it), else none."""
    started = [p for p in periods if p.valid_from <= day]
    if started:
        return started[-1]
    return periods[0] if periods else None


@dataclass(frozen=True)
class StatusOnDay:
    """A status period read by hand (accounts.store), for status_among."""

    valid_from: dt.date
    status: str
    employer_name: str


def status_on(*, user: User, day: dt.date) -> StatusPeriod | None:
    """The member's status on that day (status_among over their periods, one read)."""
    periods = list(StatusPeriod.objects.filter(user=user).order_by("valid_from"))
    return status_among(periods=periods, day=day)


@dataclass(frozen=True)
class Scope:
    """What a staff member manages: all sites of some networks, and some single sites."""

    network_ids: frozenset[int]
    site_ids: frozenset[int]
    everything: bool = False

    @property
    def is_staff(self) -> bool:
        return self.everything or bool(self.network_ids or self.site_ids)

    def covers_site(self, site: Site) -> bool:
        return self.everything or site.network_id in self.network_ids or site.pk in self.site_ids

    def site_filter(self) -> dict[str, object]:
        """Keyword filters for a Site queryset (use with Q(**a) | Q(**b))."""
        return {"network_id__in": self.network_ids, "pk__in": self.site_ids}


def staff_scope(*, user: User) -> Scope:
    """What a user manages. Deny by default: an anonymous or plain member manages nothing;
    the host of a telecentre manages its annexes as well."""
    if not user.is_authenticated or not user.is_active:
        return Scope(frozenset(), frozenset())
    if user.is_superuser:
        return Scope(frozenset(), frozenset(), everything=True)
    networks: set[int] = set()
    sites: set[int] = set()
    for role in StaffRole.objects.filter(user=user):
        if role.role == Role.NETWORK_ADMIN:
            networks.add(role.network_id)
        elif role.site_id is not None:
            sites.add(role.site_id)
    if sites:
        # The host of a telecentre hosts its annexes too (same team, often the same
        # building); an annex's own host manages the annex only.
        sites.update(Site.objects.filter(parent_id__in=sites).values_list("pk", flat=True))
    return Scope(frozenset(networks), frozenset(sites))


def email_sender_name() -> str:
    """The name account emails are sent in: the network's when the installation runs one
    network, else "Buron" (an account is for every network of the installation)."""
    names = list(Network.objects.values_list("name", flat=True)[:2])
    return names[0] if len(names) == 1 else "Buron"
