"""The operator's home under /gestion/: the day and the week at a glance, the members (search,
CSV), the rules in force; and tenancy: a host sees only their sites' figures and members,
a member gets 403."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from buron.accounts.models import StatusPeriod
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory, totp_enrol
from buron.attendance import services as attendance
from buron.attendance.models import VisitSource
from buron.booking import services as booking_services
from buron.booking.models import BookingPolicy
from buron.booking.tests.conftest import DAY, NOW, at
from buron.places.models import Site
from buron.places.tests.factories import (
    CommuneFactory,
    NetworkFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

pytestmark = pytest.mark.django_db

# The Tuesday of booking's tests, at 10:00: Monday 1 to Sunday 7 March 2027 is its week.
TODAY_NOW = at(DAY, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY_NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def make_site(network, slug: str, name: str, desks: int = 2) -> Site:
    site = SiteFactory(network=network, slug=slug, name=name)
    open_all_week(site)
    for n in range(desks):
        ResourceFactory(site=site, name=f"Poste {slug} {n}")
    return site


@pytest.fixture
def network():
    return NetworkFactory(slug="cantal-test", name="Cantal")


@pytest.fixture
def murat(network):
    return make_site(network, "murat", "Télécentre de Murat")


@pytest.fixture
def ydes(network):
    return make_site(network, "ydes", "Télécentre d'Ydes", desks=1)


@pytest.fixture
def host(murat):
    return StaffRoleFactory(site=murat, user__email="host.murat@example.org").user


@pytest.fixture
def admin(network):
    user = StaffRoleFactory(
        role="network_admin", network=network, site=None, user__email="admin@cantal.example"
    ).user
    totp_enrol(user)
    return user


def book(member, site, period="am", day=DAY):
    with time_machine.travel(NOW, tick=False):
        return booking_services.booking_create_half_day(
            member=member, site=site, day=day, period=period, notify=False
        )


def check_in(member, site, when=TODAY_NOW):
    attendance.visit_checkin(
        site=site,
        member=member,
        arrived_at=when,
        client_uuid=uuid.uuid4(),
        source=VisitSource.QR,
        now=when,
    )


def walk_in(site, when=TODAY_NOW):
    attendance.visit_walk_in(
        site=site,
        visitor_status="freelancer",
        home_commune=CommuneFactory(),
        arrived_at=when,
        client_uuid=uuid.uuid4(),
        by=None,
        now=when,
    )


def test_a_member_gets_403_on_every_page(client):
    client.force_login(UserFactory())
    for name in ("home", "members", "members_csv", "rules"):
        assert client.get(reverse(f"backoffice:{name}")).status_code == 403
    assert client.get(reverse("backoffice:walk_in", args=["murat"])).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_management_address_is_the_operator_s_home(client, host):
    assert reverse("booking:manage") == reverse("backoffice:home") == "/en/gestion/"
    client.force_login(host)
    response = client.get("/gestion/")
    assert response.resolver_match.view_name == "backoffice:home"
    assert response.status_code == 200


def test_today_and_the_week_at_a_glance(client, host, murat):
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    book(alice, murat, "am")
    book(bob, murat, "day")
    cancelled = book(carol, murat, "pm", day=DAY + dt.timedelta(days=2))
    booking_services.booking_cancel(booking=cancelled, by=carol)
    book(carol, murat, "am", day=DAY + dt.timedelta(days=3))
    book(carol, murat, "am", day=DAY + dt.timedelta(days=7))  # next week
    check_in(alice, murat)
    walk_in(murat)
    walk_in(murat, when=at(DAY - dt.timedelta(days=1), 9))  # Monday, same week
    response = client.force_login(host) or client.get(reverse("backoffice:home"))
    assert response.status_code == 200
    [row] = response.context["glance"].sites
    assert (row.bookings_today, row.blocks_today, row.arrivals_today) == (2, 0, 2)
    assert (row.resources, row.free_all_day) == (2, 0)
    assert (row.bookings_week, row.cancelled_week, row.no_shows_week) == (3, 1, 0)
    assert (row.arrivals_week, row.walk_ins_week) == (3, 2)
    page = response.content.decode()
    assert "Today, Tuesday 2 March 2027" in page
    assert "This week, Monday 1 March to Sunday 7 March" in page
    assert reverse("backoffice:walk_in", args=["murat"]) in page


def test_blocks_and_free_resources_today(client, host, murat):
    desk = murat.resources.order_by("pk").first()
    booking_services.resource_block(resource=desk, start_date=DAY, end_date=DAY, by=host, note="")
    response = client.force_login(host) or client.get(reverse("backoffice:home"))
    [row] = response.context["glance"].sites
    assert (row.blocks_today, row.bookings_today, row.free_all_day) == (1, 0, 1)


def test_a_host_sees_only_their_sites_figures(client, host, murat, ydes):
    book(UserFactory(), ydes, "am")
    response = client.force_login(host) or client.get(reverse("backoffice:home"))
    assert [r.site for r in response.context["glance"].sites] == [murat]
    assert "Ydes" not in response.content.decode()


def test_the_network_admin_sees_every_site_of_the_network_with_totals(client, admin, murat, ydes):
    book(UserFactory(), ydes, "am")
    book(UserFactory(), murat, "am")
    elsewhere = make_site(NetworkFactory(slug="lozere"), "mende", "Mende")
    book(UserFactory(), elsewhere, "am")
    response = client.force_login(admin) or client.get(reverse("backoffice:home"))
    assert {r.site for r in response.context["glance"].sites} == {murat, ydes}
    assert response.context["totals"]["bookings_today"] == 2


def test_the_home_reads_as_many_statements_for_two_sites_as_for_ten(client, admin, network):
    for n in range(2):
        make_site(network, f"s{n}", f"Site {n}")
    client.force_login(admin)
    client.get(reverse("backoffice:home"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("backoffice:home"))
    for n in range(2, 10):
        site = make_site(network, f"s{n}", f"Site {n}")
        book(UserFactory(), site)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("backoffice:home"))
    assert len(many) == len(few)


# Members ---------------------------------------------------------------------------------


def test_a_host_lists_the_members_who_booked_or_came_to_their_sites_only(client, host, murat, ydes):
    booked = UserFactory(first_name="Alix", last_name="Booked")
    came = UserFactory(first_name="Basile", last_name="Came")
    elsewhere = UserFactory(first_name="Zoé", last_name="Elsewhere")
    UserFactory(first_name="Nobody", last_name="Anywhere")
    book(booked, murat)
    check_in(came, murat)
    book(elsewhere, ydes)
    response = client.force_login(host) or client.get(reverse("backoffice:members"))
    listed = [row["user"] for row in response.context["rows"]]
    assert listed == [booked, came]
    page = response.content.decode()
    assert "Elsewhere" not in page and elsewhere.email not in page
    csv_text = b"".join(client.get(reverse("backoffice:members_csv")).streaming_content)
    assert elsewhere.email.encode() not in csv_text and booked.email.encode() in csv_text


def test_the_network_admin_lists_the_network_s_members(client, admin, murat, ydes):
    a, b = UserFactory(last_name="Alpha"), UserFactory(last_name="Beta")
    book(a, murat)
    book(b, ydes)
    book(UserFactory(last_name="Lozere"), make_site(NetworkFactory(slug="lozere"), "mende", "M"))
    response = client.force_login(admin) or client.get(reverse("backoffice:members"))
    assert [row["user"] for row in response.context["rows"]] == [a, b]


def test_members_are_searched_by_name_email_status_and_commune(client, host, murat):
    murat_commune = CommuneFactory()
    aurillac = CommuneFactory(
        insee_code="15014", name="Aurillac", postal_code="15000", search_name="aurillac"
    )
    dana = UserFactory(first_name="Dana", last_name="Vidal", email="dana@example.org")
    eli = UserFactory(first_name="Eli", last_name="Roux", email="eli@studio.example")
    for person, commune in ((dana, murat_commune), (eli, aurillac)):
        person.profile.commune = commune
        person.profile.save()
        book(person, murat)
    StatusPeriod.objects.filter(user=eli).update(status="salaried_remote", employer_name="X")
    client.force_login(host)

    def found(**query):
        response = client.get(reverse("backoffice:members"), query)
        assert response.status_code == 200
        return [row["user"] for row in response.context["rows"]]

    assert found(q="vidal") == [dana]
    assert found(q="studio") == [eli]
    assert found(q="dana vidal") == [dana]
    assert found(status="salaried_remote") == [eli]
    assert found(commune="aurill") == [eli]
    assert found(commune="15300") == [dana]
    assert found(commune="15014") == [eli]
    assert found(q="nobody") == []
    # An unknown status is refused by the form: the whole list is shown, nothing breaks.
    assert found(status="astronaut") == [eli, dana]


def test_the_csv_export_follows_the_search_and_defuses_formulas(client, host, murat):
    sly = UserFactory(first_name="=HYPERLINK(1)", last_name="Sly")
    plain = UserFactory(first_name="Jo", last_name="Plain")
    book(sly, murat)
    book(plain, murat)
    client.force_login(host)
    response = client.get(reverse("backoffice:members_csv"), {"q": "sly"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Last name", "First name", "Email"]
    assert len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][6] == DAY.isoformat()


def test_long_names_wrap_in_the_member_list(client, host, murat):
    long = UserFactory(first_name="Marie-Christine-Bernadette" * 3, last_name="X" * 60)
    book(long, murat)
    client.force_login(host)
    page = client.get(reverse("backoffice:members")).content.decode()
    assert 'class="stack members"' in page


# Rules ---------------------------------------------------------------------------------


def test_the_defaults_are_shown_where_no_rule_is_set(client, host, murat):
    response = client.force_login(host) or client.get(reverse("backoffice:rules"))
    [row] = response.context["rows"]
    assert row.source == "default"
    assert row.policy.horizon_days == 90
    page = response.content.decode()
    assert "the defaults (no rule set)" in page and "90 days" in page


def test_the_rules_show_the_network_s_and_the_site_s_own(client, admin, network, murat, ydes):
    BookingPolicy.objects.create(network=network, horizon_days=30)
    BookingPolicy.objects.create(network=network, site=ydes, horizon_days=14)
    response = client.force_login(admin) or client.get(reverse("backoffice:rules"))
    rows = {row.site.slug: row for row in response.context["rows"]}
    assert (rows["murat"].source, rows["murat"].policy.horizon_days) == ("network", 30)
    assert (rows["ydes"].source, rows["ydes"].policy.horizon_days) == ("site", 14)


# Annexes -------------------------------------------------------------------------------


def test_the_murat_host_manages_its_annex_from_the_home(client, host, murat):
    annex = make_site(murat.network, "murat-extension", "Murat — extension")
    annex.kind, annex.parent = "annex", murat
    annex.save()
    response = client.force_login(host) or client.get(reverse("backoffice:home"))
    assert {r.site.slug for r in response.context["glance"].sites} == {"murat", "murat-extension"}
    for name in ("booking:manage_site", "booking:manage_week", "backoffice:walk_in"):
        assert client.get(reverse(name, args=["murat-extension"])).status_code == 200
