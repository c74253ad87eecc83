"""The admin is scoped by network: a network administrator sees and changes only their
network, a site host only their sites, a staff user without a role nothing; superusers see
everything. Two networks, A (sites A1 and A2) and B (site B1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.tests.factories import totp_enrol
from buron.booking.models import BookingPolicy
from buron.offers.models import Offer
from buron.places.models import Network, Resource, Site
from buron.places.tests.factories import NetworkFactory, ResourceFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages asserted here are the English source strings."""
    from django.utils import translation

    with translation.override("en"):
        yield


PASSWORD = "a long demo password"


@dataclass
class World:
    a: Network
    b: Network
    a1: Site
    a2: Site
    b1: Site
    admin_a: User
    host_a1: User
    superuser: User
    nobody: User


def _staff(email: str) -> User:
    return User.objects.create_user(email, PASSWORD, is_staff=True)


@pytest.fixture
def world() -> World:
    a = NetworkFactory(slug="reseau-a", name="Réseau Alpha")
    b = NetworkFactory(slug="reseau-b", name="Réseau Bravo")
    a1 = SiteFactory(network=a, slug="a1", name="Site Alpha Un")
    a2 = SiteFactory(network=a, slug="a2", name="Site Alpha Deux")
    b1 = SiteFactory(network=b, slug="b1", name="Site Bravo Un")
    for site in (a1, a2, b1):
        ResourceFactory(site=site, name=f"Poste {site.slug}")
    for network in (a, b):
        Offer.objects.create(
            network=network, kind="day_pass", name_fr="Journée", net_price=Decimal("16.67")
        )
        BookingPolicy.objects.create(network=network)
    BookingPolicy.objects.create(network=b, site=b1, horizon_days=30)
    admin_a = _staff("admin-a@example.org")
    host_a1 = _staff("host-a1@example.org")
    StaffRole.objects.create(user=admin_a, network=a, role=Role.NETWORK_ADMIN)
    StaffRole.objects.create(user=host_a1, network=a, role=Role.SITE_HOST, site=a1)
    admin_b = _staff("admin-b@example.org")
    StaffRole.objects.create(user=admin_b, network=b, role=Role.NETWORK_ADMIN)
    StaffRole.objects.create(user=admin_b, network=b, role=Role.SITE_HOST, site=b1)
    for staff in (admin_a, admin_b):
        totp_enrol(staff)  # network administrators must have a second factor
    superuser = User.objects.create_superuser("root@example.org", PASSWORD)
    totp_enrol(superuser)
    return World(
        a=a,
        b=b,
        a1=a1,
        a2=a2,
        b1=b1,
        admin_a=admin_a,
        host_a1=host_a1,
        superuser=superuser,
        nobody=_staff("nobody@example.org"),
    )


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _listed(client: Client, name: str) -> set[int]:
    response = client.get(reverse(f"admin:{name}_changelist"), secure=True)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def _expected(world: World, name: str, networks: list[Network]) -> set[int]:
    ids = [n.pk for n in networks]
    rows = {
        "places_network": Network.objects.filter(pk__in=ids),
        "places_site": Site.objects.filter(network__in=ids),
        "places_resource": Resource.objects.filter(site__network__in=ids),
        "offers_offer": Offer.objects.filter(network__in=ids),
        "booking_bookingpolicy": BookingPolicy.objects.filter(network__in=ids),
        "accounts_staffrole": StaffRole.objects.filter(network__in=ids),
    }[name]
    return set(rows.values_list("pk", flat=True))


SCOPED = [
    "places_network",
    "places_site",
    "places_resource",
    "offers_offer",
    "booking_bookingpolicy",
    "accounts_staffrole",
]


@pytest.mark.parametrize("name", SCOPED)
def test_a_network_admin_lists_only_their_network_rows(
    client: Client, world: World, name: str
) -> None:
    listed = _listed(_as(client, world.admin_a), name)
    assert listed
    assert listed == _expected(world, name, [world.a])


@pytest.mark.parametrize("name", SCOPED)
def test_a_superuser_lists_the_rows_of_every_network(
    client: Client, world: World, name: str
) -> None:
    listed = _listed(_as(client, world.superuser), name)
    assert listed == _expected(world, name, [world.a, world.b])


@pytest.mark.parametrize("name", ["places_site", "places_resource", "offers_offer"])
def test_the_list_filters_do_not_name_another_network(
    client: Client, world: World, name: str
) -> None:
    response = _as(client, world.admin_a).get(reverse(f"admin:{name}_changelist"), secure=True)
    content = response.content.decode()
    assert "Site Bravo Un" not in content
    assert "Réseau Bravo" not in content
    assert "Réseau Alpha" in content or "Site Alpha Un" in content


def test_another_network_site_does_not_exist_for_a_network_admin(
    client: Client, world: World
) -> None:
    _as(client, world.admin_a)
    url = reverse("admin:places_site_change", args=[world.b1.pk])
    response = client.get(url, secure=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    response = client.post(url, {"name": "Taken over", "network": str(world.a.pk)}, secure=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    world.b1.refresh_from_db()
    assert world.b1.name == "Site Bravo Un"
    assert world.b1.network_id == world.b.pk
    delete = reverse("admin:places_site_delete", args=[world.b1.pk])
    # Nobody deletes a site (it is unpublished instead), whoever's it is.
    assert client.post(delete, {"post": "yes"}, secure=True).status_code == 403
    assert Site.objects.filter(pk=world.b1.pk).exists()


@pytest.mark.parametrize(
    "name",
    ["places_network", "offers_offer", "booking_bookingpolicy", "accounts_staffrole"],
)
def test_another_network_rows_do_not_open_for_a_network_admin(
    client: Client, world: World, name: str
) -> None:
    row = _expected(world, name, [world.b]).pop()
    response = _as(client, world.admin_a).get(
        reverse(f"admin:{name}_change", args=[row]), secure=True
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_the_resource_form_offers_only_the_network_admin_sites(
    client: Client, world: World
) -> None:
    response = _as(client, world.admin_a).get(reverse("admin:places_resource_add"), secure=True)
    assert response.status_code == 200
    choices = set(response.context["adminform"].form.fields["site"].queryset)
    assert choices == {world.a1, world.a2}


def test_a_network_admin_cannot_add_a_resource_to_another_network_site(
    client: Client, world: World
) -> None:
    data = {
        "site": str(world.b1.pk),
        "kind": "desk",
        "name": "Intrus",
        "capacity": "1",
        "booking_unit": "half_day",
        "is_active": "on",
    }
    response = _as(client, world.admin_a).post(
        reverse("admin:places_resource_add"), data, secure=True
    )
    assert response.status_code == 200
    assert "site" in response.context["adminform"].form.errors
    assert not Resource.objects.filter(name="Intrus").exists()


def test_the_site_form_offers_only_the_network_admin_networks_and_parents(
    client: Client, world: World
) -> None:
    response = _as(client, world.admin_a).get(reverse("admin:places_site_add"), secure=True)
    fields = response.context["adminform"].form.fields
    assert set(fields["network"].queryset) == {world.a}
    assert set(fields["parent"].queryset) == {world.a1, world.a2}


def test_a_network_admin_edits_their_network_but_neither_adds_nor_deletes_one(
    client: Client, world: World
) -> None:
    _as(client, world.admin_a)
    change = reverse("admin:places_network_change", args=[world.a.pk])
    assert client.get(change, secure=True).status_code == 200
    assert client.get(reverse("admin:places_network_add"), secure=True).status_code == 403
    delete = reverse("admin:places_network_delete", args=[world.a.pk])
    assert client.get(delete, secure=True).status_code == 403


def test_a_network_admin_does_not_open_the_accounts(client: Client, world: World) -> None:
    _as(client, world.admin_a)
    assert client.get(reverse("admin:accounts_user_changelist"), secure=True).status_code == 403
    change = reverse("admin:accounts_user_change", args=[world.host_a1.pk])
    assert client.get(change, secure=True).status_code == 403


def test_a_host_lists_only_their_site_and_its_resources(client: Client, world: World) -> None:
    _as(client, world.host_a1)
    assert _listed(client, "places_site") == {world.a1.pk}
    assert _listed(client, "places_resource") == set(
        Resource.objects.filter(site=world.a1).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    "name",
    [
        "places_network",
        "booking_bookingpolicy",
        "accounts_staffrole",
        "accounts_user",
        "booking_booking",
    ],
)
def test_a_host_cannot_open_prices_roles_rules_or_the_network(
    client: Client, world: World, name: str
) -> None:
    response = _as(client, world.host_a1).get(reverse(f"admin:{name}_changelist"), secure=True)
    assert response.status_code == 403


def test_a_host_neither_adds_sites_nor_opens_another_site(client: Client, world: World) -> None:
    _as(client, world.host_a1)
    assert client.get(reverse("admin:places_site_add"), secure=True).status_code == 403
    other = reverse("admin:places_site_change", args=[world.a2.pk])
    assert client.get(other, secure=True)["Location"] == reverse("admin:index")


def _site_post(site: Site, **fields: str) -> dict[str, str]:
    data = {
        "name": site.name,
        "commune_name": site.commune_name,
        "insee_code": site.insee_code,
        "postal_code": site.postal_code,
        "address": site.address,
        "latitude": str(site.latitude),
        "longitude": str(site.longitude),
        **fields,
    }
    for prefix in ("opening_periods", "closures", "resources"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_a_host_edits_their_site_but_not_its_place_in_the_network(
    client: Client, world: World
) -> None:
    _as(client, world.host_a1)
    url = reverse("admin:places_site_change", args=[world.a1.pk])
    page = client.get(url, secure=True)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "network" not in form.fields
    assert "is_published" not in form.fields
    data = _site_post(
        world.a1,
        description_en="Now with a kettle.",
        network=str(world.b.pk),
        slug="stolen",
        is_published="",
    )
    response = client.post(url, data, secure=True)
    assert response.status_code == 302, response.context["errors"]
    world.a1.refresh_from_db()
    assert world.a1.description_en == "Now with a kettle."
    assert (world.a1.network_id, world.a1.slug, world.a1.is_published) == (world.a.pk, "a1", True)


def test_a_staff_user_without_a_role_sees_nothing(client: Client, world: World) -> None:
    _as(client, world.nobody)
    index = client.get(reverse("admin:index"), secure=True)
    assert index.status_code == 200
    assert index.context["app_list"] == []
    for name in [*SCOPED, "places_commune", "places_amenity", "accounts_user"]:
        assert client.get(reverse(f"admin:{name}_changelist"), secure=True).status_code == 403


def test_the_admin_index_of_a_host_lists_only_what_they_manage(
    client: Client, world: World
) -> None:
    index = _as(client, world.host_a1).get(reverse("admin:index"), secure=True)
    models = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    # Their network's catalogue (read-only), their sites' sales, proofs, visits and mail.
    assert models == {
        "Site",
        "Resource",
        "Commune",
        "Visit",
        "Offer",
        "Sale",
        "Proof",
        "MailItem",
    }


def test_the_communes_stay_read_only_even_for_a_superuser(client: Client, world: World) -> None:
    _as(client, world.superuser)
    assert client.get(reverse("admin:places_commune_add"), secure=True).status_code == 403


# --- Staff roles -------------------------------------------------------------------------


def _role_post(email: str, network: Network, role: str, site: Site | None) -> dict[str, str]:
    return {
        "user_email": email,
        "network": str(network.pk),
        "role": role,
        "site": str(site.pk) if site else "",
    }


def test_a_network_admin_appoints_a_host_of_their_site_by_email(
    client: Client, world: World
) -> None:
    newcomer = User.objects.create_user("newcomer@example.org", PASSWORD)
    data = _role_post("Newcomer@example.org", world.a, Role.SITE_HOST, world.a2)
    response = _as(client, world.admin_a).post(
        reverse("admin:accounts_staffrole_add"), data, secure=True
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    role = StaffRole.objects.get(user=newcomer)
    assert (role.network, role.role, role.site) == (world.a, Role.SITE_HOST, world.a2)
    newcomer.refresh_from_db()
    assert newcomer.is_staff  # let into the admin, where they see only their site
    assert not newcomer.is_superuser


def test_the_role_form_offers_only_the_network_admin_networks_and_sites(
    client: Client, world: World
) -> None:
    response = _as(client, world.admin_a).get(reverse("admin:accounts_staffrole_add"), secure=True)
    fields = response.context["adminform"].form.fields
    assert set(fields["network"].queryset) == {world.a}
    assert set(fields["site"].queryset) == {world.a1, world.a2}
    assert "user" not in fields  # nobody browses every account


def _role_errors(client: Client, data: dict[str, str]) -> dict[str, list[str]]:
    with override("en"):
        url = reverse("admin:accounts_staffrole_add")
        response = client.post(url, data, secure=True)
    assert response.status_code == 200
    return {
        field: list(errors) for field, errors in response.context["adminform"].form.errors.items()
    }


@pytest.mark.parametrize(
    ("role", "site_slug", "field", "message"),
    [
        (
            Role.NETWORK_ADMIN,
            "a1",
            "site",
            "A network administrator manages the whole network: leave the site empty.",
        ),
        (Role.SITE_HOST, None, "site", "A site host hosts one site: choose it."),
    ],
)
def test_the_role_form_explains_which_roles_have_a_site(
    client: Client,
    world: World,
    role: str,
    site_slug: str | None,
    field: str,
    message: str,
) -> None:
    site = Site.objects.get(slug=site_slug) if site_slug else None
    _as(client, world.superuser)
    errors = _role_errors(client, _role_post(world.nobody.email, world.a, role, site))
    assert errors == {field: [message]}
    assert not StaffRole.objects.filter(user=world.nobody).exists()


def test_the_role_form_refuses_a_site_of_another_network(client: Client, world: World) -> None:
    _as(client, world.superuser)
    errors = _role_errors(client, _role_post(world.nobody.email, world.a, Role.SITE_HOST, world.b1))
    assert errors == {"site": ["This site belongs to another network than the role."]}


def test_the_role_form_refuses_a_second_identical_role(client: Client, world: World) -> None:
    _as(client, world.superuser)
    errors = _role_errors(
        client, _role_post(world.admin_a.email, world.a, Role.NETWORK_ADMIN, None)
    )
    assert errors == {"__all__": ["This person already has this role."]}


def test_the_role_form_refuses_an_unknown_email(client: Client, world: World) -> None:
    _as(client, world.admin_a)
    errors = _role_errors(
        client, _role_post("stranger@example.org", world.a, Role.SITE_HOST, world.a1)
    )
    assert errors == {"user_email": ["No account uses this email address."]}


def test_a_network_admin_cannot_appoint_anyone_in_another_network(
    client: Client, world: World
) -> None:
    _as(client, world.admin_a)
    errors = _role_errors(client, _role_post(world.nobody.email, world.b, Role.SITE_HOST, world.b1))
    assert set(errors) == {"network", "site"}
    assert not StaffRole.objects.filter(user=world.nobody).exists()


def _user_post(user: User, roles: list[dict[str, str]]) -> dict[str, str]:
    data = {
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "staff_roles-TOTAL_FORMS": str(len(roles)),
        "staff_roles-INITIAL_FORMS": "0",
        "staff_roles-MIN_NUM_FORMS": "0",
        "staff_roles-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(roles):
        data.update({f"staff_roles-{index}-{key}": value for key, value in row.items()})
    return data


def test_a_superuser_gives_roles_on_the_account_page(client: Client, world: World) -> None:
    _as(client, world.superuser)
    url = reverse("admin:accounts_user_change", args=[world.nobody.pk])
    with override("en"):
        refused = client.post(
            url,
            _user_post(
                world.nobody,
                [{"network": str(world.a.pk), "role": Role.SITE_HOST, "site": str(world.b1.pk)}],
            ),
            secure=True,
        )
    assert refused.status_code == 200
    (roles,) = refused.context["inline_admin_formsets"]
    assert roles.formset.errors[0] == {
        "site": ["This site belongs to another network than the role."]
    }
    saved = client.post(
        url,
        _user_post(
            world.nobody,
            [{"network": str(world.a.pk), "role": Role.SITE_HOST, "site": str(world.a2.pk)}],
        ),
        secure=True,
    )
    assert saved.status_code == 302
    role = StaffRole.objects.get(user=world.nobody)
    assert (role.network, role.site) == (world.a, world.a2)


def test_a_network_admin_who_hosts_a_site_elsewhere_gets_host_rights_there_only(
    client: Client, world: World
) -> None:
    StaffRole.objects.create(
        user=world.admin_a, network=world.b, role=Role.SITE_HOST, site=world.b1
    )
    _as(client, world.admin_a)
    assert _listed(client, "places_site") == {world.a1.pk, world.a2.pk, world.b1.pk}
    # As host of b1 they read network b's catalogue; they edit network a's only.
    assert _listed(client, "offers_offer") == _expected(world, "offers_offer", [world.a, world.b])
    assert _listed(client, "booking_bookingpolicy") == _expected(
        world, "booking_bookingpolicy", [world.a]
    )
    page = client.get(reverse("admin:places_site_change", args=[world.b1.pk]), secure=True)
    assert page.status_code == 200
    assert "network" not in page.context["adminform"].form.fields  # as its host
    delete = reverse("admin:places_site_delete", args=[world.b1.pk])
    assert client.get(delete, secure=True).status_code == 403
    add = client.get(reverse("admin:offers_offer_add"), secure=True)
    assert set(add.context["adminform"].form.fields["sites"].queryset) == {world.a1, world.a2}
