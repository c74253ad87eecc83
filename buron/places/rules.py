"""Versions of the booking rules of sites and networks.

What a booking reads of a site's rules (its hours, closures and booking policy) is kept in
the cache under keys that include the site's and its network's `rules_version`, read with
the site at every request. Any change to those rules raises the version in the database,
so every process, whatever it has cached, reads the new rules at its next request: nothing
has to be told to forget anything. Writes that skip model signals (queryset.update(),
bulk_create(), raw SQL) must call these functions themselves; cached rules also expire on
their own after a few minutes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.db.models.signals import post_delete, post_save

from .models import Closure, Network, OpeningPeriod, Site


def _raise(model: type[Site] | type[Network], pk: int, copy: Site | Network | None) -> None:
    """Raise one row's rules version, and that of the given copy of it in memory."""
    model.objects.filter(pk=pk).update(rules_version=F("rules_version") + 1)
    if copy is not None:
        copy.rules_version = model.objects.values_list("rules_version", flat=True).get(pk=pk)


def site_rules_changed(*, site_id: int, site: Site | None = None) -> None:
    _raise(Site, site_id, site)


def network_rules_changed(*, network_id: int, network: Network | None = None) -> None:
    _raise(Network, network_id, network)


def _site_part_changed(
    sender: type[Model], instance: OpeningPeriod | Closure, **kwargs: Any
) -> None:
    # The site as loaded on the instance, if it is (never a query for it).
    site = instance.site if type(instance).site.is_cached(instance) else None
    if Site.objects.filter(pk=instance.site_id).exists():  # not when the site goes too
        site_rules_changed(site_id=instance.site_id, site=site)


def connect() -> None:
    for model in (OpeningPeriod, Closure):
        post_save.connect(_site_part_changed, sender=model, dispatch_uid=f"rules-{model}")
        post_delete.connect(_site_part_changed, sender=model, dispatch_uid=f"rules-d-{model}")
