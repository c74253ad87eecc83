"""The network operator's admin: the pages open, and a site saves with its resources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from buron.accounts.models import User
from buron.accounts.tests.factories import totp_enrol
from buron.offers.models import Offer
from buron.places.models import OpeningPeriod, Resource, Site
from buron.places.tests.factories import (
    NetworkFactory,
    OpeningPeriodFactory,
    ResourceFactory,
    SiteFactory,
    site_admin_fields,
    site_admin_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client: Client) -> Client:
    user = User.objects.create_superuser("operator@buron.example", "a long demo password")
    totp_enrol(user)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["places/site", "places/resource", "places/network"])
def test_the_operator_opens_the_list_and_change_pages(operator: Client, model: str) -> None:
    resource = ResourceFactory()
    obj = {"places/site": resource.site, "places/resource": resource}.get(model, resource.network)
    app, name = model.split("/")
    assert operator.get(reverse(f"admin:{app}_{name}_changelist"), secure=True).status_code == 200
    change = reverse(f"admin:{app}_{name}_change", args=[obj.pk])
    assert operator.get(change, secure=True).status_code == 200


def test_the_operator_opens_the_offer_pages(operator: Client) -> None:
    network = NetworkFactory()
    offer = Offer.objects.create(
        network=network, kind="day_pass", name_fr="Journée", net_price=Decimal("16.67")
    )
    assert operator.get(reverse("admin:offers_offer_changelist"), secure=True).status_code == 200
    change = reverse("admin:offers_offer_change", args=[offer.pk])
    assert operator.get(change, secure=True).status_code == 200


def test_the_operator_opens_the_page_to_add_a_site(operator: Client) -> None:
    response = operator.get(reverse("admin:places_site_add"), secure=True)
    assert response.status_code == 200
    assert b'name="resources-TOTAL_FORMS"' in response.content


def test_someone_who_is_not_staff_is_sent_to_the_login_page(client: Client) -> None:
    user = User.objects.create_user("member@buron.example", "a long demo password")
    client.force_login(user)
    response = client.get(reverse("admin:places_site_changelist"), secure=True)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_new_site_saves_with_its_resources_in_the_site_network(operator: Client) -> None:
    network = NetworkFactory(slug="cantal")
    NetworkFactory(slug="lozere")  # another network the resource must not land in
    data = site_admin_form(
        site_admin_fields(network.pk, "murat"),
        resources=[
            {"kind": "desk", "name": "Poste 1", "capacity": "1", "booking_unit": "half_day"},
            {"kind": "meeting_room", "name": "Salle", "capacity": "8", "booking_unit": "hour"},
        ],
    )
    response = operator.post(reverse("admin:places_site_add"), data, secure=True)
    assert response.status_code == 302, response.context["errors"]
    site = Site.objects.get(slug="murat")
    resources = Resource.objects.filter(site=site).order_by("name")
    assert [(r.name, r.network_id) for r in resources] == [
        ("Poste 1", network.pk),
        ("Salle", network.pk),
    ]


def test_a_resource_added_to_a_saved_site_takes_the_site_network(operator: Client) -> None:
    site = SiteFactory(slug="murat")
    existing = ResourceFactory(site=site, name="Poste 1")
    data = site_admin_form(
        site_admin_fields(site.network_id, "murat"),
        resources=[
            {
                "id": str(existing.pk),
                "site": str(site.pk),
                "kind": "desk",
                "name": "Poste 1",
                "capacity": "1",
                "booking_unit": "half_day",
                "is_active": "on",
            },
            {
                "site": str(site.pk),
                "kind": "desk",
                "name": "Poste 2",
                "capacity": "1",
                "booking_unit": "half_day",
                "is_active": "on",
            },
        ],
    )
    response = operator.post(reverse("admin:places_site_change", args=[site.pk]), data, secure=True)
    assert response.status_code == 302, response.context["errors"]
    added = Resource.objects.get(site=site, name="Poste 2")
    assert added.network_id == site.network_id


def test_the_site_admin_shows_why_a_desk_cannot_hold_two_people(operator: Client) -> None:
    network = NetworkFactory()
    data = site_admin_form(
        site_admin_fields(network.pk, "murat"),
        resources=[
            {"kind": "desk", "name": "Poste 1", "capacity": "2", "booking_unit": "half_day"}
        ],
    )
    with override("en"):
        url = reverse("admin:places_site_add")  # /en/admin/…: the page in English
    response = operator.post(url, data, secure=True)
    assert response.status_code == 200
    assert not Site.objects.filter(slug="murat").exists()
    resources = response.context["inline_admin_formsets"][2].formset
    (error,) = resources.errors[0].as_data()["capacity"]
    assert error.code == "desk_capacity"
    with override("en"):
        assert error.messages == ["A desk holds exactly one person."]


def _monday(period: OpeningPeriod | None, half_day: str, opens: str, closes: str) -> dict:
    row: dict[str, object] = {"weekday": "0", "half_day": half_day, "opens": opens}
    row["closes"] = closes
    if period is not None:
        row.update({"id": str(period.pk), "site": str(period.site_id)})
    return row


def test_the_morning_and_afternoon_of_a_day_can_move_together(operator: Client) -> None:
    site = SiteFactory(slug="murat")
    morning = OpeningPeriodFactory(site=site, weekday=0, half_day="am")  # 8:30 to 12:30
    afternoon = OpeningPeriodFactory(
        site=site, weekday=0, half_day="pm", opens=dt.time(13, 30), closes=dt.time(18)
    )
    data = site_admin_form(
        site_admin_fields(site.network_id, "murat"),
        opening_periods=[
            _monday(morning, "am", "09:00", "13:45"),  # past the old afternoon's start
            _monday(afternoon, "pm", "14:00", "18:30"),
        ],
    )
    response = operator.post(reverse("admin:places_site_change", args=[site.pk]), data, secure=True)
    assert response.status_code == 302, response.context["errors"]
    assert [(p.opens, p.closes) for p in site.opening_periods.order_by("half_day")] == [
        (dt.time(9), dt.time(13, 45)),
        (dt.time(14), dt.time(18, 30)),
    ]


def test_the_site_admin_rejects_a_new_morning_overlapping_a_new_afternoon(
    operator: Client,
) -> None:
    network = NetworkFactory()
    data = site_admin_form(
        site_admin_fields(network.pk, "murat"),
        opening_periods=[
            _monday(None, "am", "08:30", "13:00"),
            _monday(None, "pm", "12:00", "18:00"),
        ],
    )
    with override("en"):
        url = reverse("admin:places_site_add")
    response = operator.post(url, data, secure=True)
    assert response.status_code == 200
    assert not Site.objects.filter(slug="murat").exists()
    periods = response.context["inline_admin_formsets"][0].formset
    (error,) = periods.errors[1].as_data()["opens"]
    assert error.code == "morning_overlaps_afternoon"
    with override("en"):
        assert error.messages == ["The morning must end before the afternoon starts."]
