"""Writes about places. Each service validates fully before it writes anything."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import DEFAULT_UNIT, Resource, ResourceKind, Site


@transaction.atomic
def resource_create(*, site: Site, kind: str, name: str, **fields: Any) -> Resource:
    """Create a resource at a site; the booking unit defaults to the kind's usual one."""
    fields.setdefault("booking_unit", DEFAULT_UNIT[ResourceKind(kind)])
    resource = Resource(site=site, network_id=site.network_id, kind=kind, name=name, **fields)
    resource.full_clean()
    resource.save()
    return resource
