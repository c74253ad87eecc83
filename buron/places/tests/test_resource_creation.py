from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from buron.places.models import Resource
from buron.places.services import resource_create
from buron.places.tests.factories import ResourceFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_it_creates_a_resource_in_its_site_network_with_the_usual_unit() -> None:
    site = SiteFactory()
    desk = resource_create(site=site, kind="desk", name="Poste 1")
    room = resource_create(site=site, kind="meeting_room", name="Salle", capacity=8)
    assert (desk.network_id, desk.booking_unit, desk.capacity) == (site.network_id, "half_day", 1)
    assert (room.network_id, room.booking_unit, room.capacity) == (site.network_id, "hour", 8)


def test_it_writes_nothing_when_the_resource_is_invalid() -> None:
    existing = ResourceFactory(name="Poste 1")
    with pytest.raises(ValidationError) as caught:
        resource_create(site=existing.site, kind="desk", name="Poste 2", capacity=2)
    assert caught.value.error_dict["capacity"][0].code == "desk_capacity"
    with pytest.raises(ValidationError) as caught:
        resource_create(site=existing.site, kind="desk", name="Poste 1")
    assert caught.value.error_dict["__all__"][0].code == "resource_name_taken"
    assert list(Resource.objects.values_list("name", flat=True)) == ["Poste 1"]
