from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from pytest_django import Settings

from buron.offers.tests.factories import OfferFactory
from buron.places.models import Amenity, Site
from buron.places.tests.factories import (
    ClosureFactory,
    NetworkFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

from .html import Node, parse, table_rows

pytestmark = pytest.mark.django_db


def get(client: Client, url: str, status: int = 200) -> Node:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return parse(response.content)


@pytest.fixture
def site() -> Site:
    network = NetworkFactory(name="Réseau test", slug="reseau-test")
    site = SiteFactory(
        network=network,
        name="Télécentre de Murat",
        slug="murat",
        address="2 rue du Faubourg",
        postal_code="15300",
        commune_name="Murat",
        has_fibre=True,
        download_mbps=200,
        upload_mbps=100,
        step_free_access=False,
        accessibility_fr="Bureaux à l'étage.",
        accessibility_en="Upstairs offices.",
        access_fr="Près de la gare.",
        access_en="Near the station.",
        description_fr="Au pied du rocher.",
        description_en="Below the rock.",
        host_name="Camille Hôte",
        host_email="murat@buron.example",
        host_phone="04 71 00 00 00",
    )
    open_all_week(site)
    for number in range(3):
        ResourceFactory(site=site, name=f"Poste {number + 1}")
    ResourceFactory(
        site=site, kind="meeting_room", name="Salle Bonnevie", capacity=10, booking_unit="hour"
    )
    ResourceFactory(site=site, name="Poste retiré", is_active=False)
    amenity = Amenity.objects.create(code="shower", name_fr="Douche", name_en="Shower")
    site.amenities.add(amenity)
    return site


# --- Every page, both languages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "lang"),
    [
        ("/", "fr"),
        ("/en/", "en"),
        ("/sites/murat/", "fr"),
        ("/en/sites/murat/", "en"),
        ("/accessibilite/", "fr"),
        ("/en/accessibilite/", "en"),
        ("/mentions-legales/", "fr"),
        ("/en/mentions-legales/", "en"),
    ],
)
def test_it_renders_each_page_in_its_language_with_landmarks(
    client: Client, site: Site, url: str, lang: str
) -> None:
    page = get(client, url)
    assert page.find("html").attrs["lang"] == lang
    assert len(page.find_all("h1")) == 1
    for landmark in ("header", "main", "footer", "nav"):
        assert page.find_all(landmark), landmark
    skip = page.find("a", class_="skip-link")
    assert skip.attrs["href"] == "#main"
    assert page.find("main").attrs["id"] == "main"


def test_it_lists_every_published_site_on_the_home_page(client: Client, site: Site) -> None:
    hidden = SiteFactory(network=site.network, name="Site caché", slug="cache", is_published=False)
    other = SiteFactory(network=site.network, name="Télécentre d'Ydes", slug="ydes")

    page = get(client, "/")
    links = {
        a.attrs["href"]: a.text for a in page.find("section", class_="site-list").find_all("a")
    }
    assert links == {"/sites/murat/": "Télécentre de Murat", "/sites/ydes/": other.name}
    assert hidden.name not in page.text

    page_en = get(client, "/en/")
    links_en = {a.attrs["href"] for a in page_en.find("section", class_="site-list").find_all("a")}
    assert links_en == {"/en/sites/murat/", "/en/sites/ydes/"}


def test_the_home_list_counts_active_desks_and_rooms_and_says_fibre_in_words(
    client: Client, site: Site
) -> None:
    SiteFactory(network=site.network, name="Sans fibre", slug="sans-fibre", has_fibre=False)
    page = get(client, "/en/")
    cards = {
        c.find("h3").text: c.find("ul", class_="facts").text
        for c in page.find_all("li", class_="card")
    }
    assert "3 desks, 1 room" in cards["Télécentre de Murat"]
    assert "Fibre, 200 Mbit/s down" in cards["Télécentre de Murat"]
    assert "No fibre" in cards["Sans fibre"]
    assert "0 desks" in cards["Sans fibre"]


def test_the_home_page_has_a_coordinate_table_and_the_map_data(client: Client, site: Site) -> None:
    SiteFactory(
        network=site.network,
        name="Télécentre d'Ydes",
        slug="ydes",
        latitude=Decimal("45.347900"),
        longitude=Decimal("2.437100"),
    )
    page = get(client, "/en/")
    rows = table_rows(page, "coordinates")
    assert ["Télécentre d'Ydes", "Murat", "45.34790", "2.43710"] in rows
    assert ["Télécentre de Murat", "Murat", "45.11057", "2.86929"] in rows
    data = json.loads(page.find("script", id="map-data").text)
    by_name = {s["name"]: (p["lat"], p["lon"], s["url"]) for p in data for s in p["sites"]}
    assert by_name == {
        "Télécentre de Murat": (45.110573, 2.86929, "/en/sites/murat/"),
        "Télécentre d'Ydes": (45.3479, 2.4371, "/en/sites/ydes/"),
    }


def test_leaflet_loads_only_on_the_home_page_and_deferred(client: Client, site: Site) -> None:
    home = get(client, "/")
    scripts = [s.attrs["src"] for s in home.find_all("script") if "src" in s.attrs]
    assert scripts == ["/static/vendor/leaflet/leaflet.js", "/static/js/map.js"]
    assert all("defer" in s.attrs for s in home.find_all("script") if "src" in s.attrs)
    assert "/static/vendor/leaflet/leaflet.css" in [
        link.attrs["href"] for link in home.find_all("link")
    ]

    for url in ("/sites/murat/", "/accessibilite/", "/mentions-legales/"):
        page = get(client, url)
        assert not [s for s in page.find_all("script") if "src" in s.attrs], url
        assert "leaflet" not in " ".join(
            link.attrs.get("href", "") for link in page.find_all("link")
        )


def test_the_map_gets_the_tile_url_and_attribution_from_the_settings(
    client: Client, site: Site, settings: Settings
) -> None:
    settings.BURON_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    settings.BURON_TILE_ATTRIBUTION = "© Example tiles"
    box = get(client, "/").find("div", id="map")
    assert box.attrs["data-tile-url"] == "https://tiles.example/{z}/{x}/{y}.png"
    assert box.attrs["data-tile-attribution"] == "© Example tiles"


def test_there_is_no_tile_url_when_the_setting_is_empty(
    client: Client, site: Site, settings: Settings
) -> None:
    settings.BURON_TILE_URL = ""
    response = client.get("/")
    box = parse(response.content).find("div", id="map")
    assert box.attrs["data-tile-url"] == ""
    assert b"openstreetmap.org/{z}" not in response.content


def test_the_map_is_hidden_until_its_script_runs(client: Client, site: Site) -> None:
    section = get(client, "/").find("section", id="map-section")
    assert "hidden" in section.attrs


# --- Site page ---------------------------------------------------------------------------------


def test_the_site_page_shows_address_contact_connectivity_and_accessibility(
    client: Client, site: Site
) -> None:
    page = get(client, "/en/sites/murat/")
    assert page.find("h1").text == "Télécentre de Murat"
    address = page.find("address").text
    assert "2 rue du Faubourg" in address
    assert "15300 Murat" in address
    text = page.text
    assert "Below the rock." in text
    assert "Near the station." in text
    assert "Upstairs offices." in text
    assert "Step-free access: no." in text
    assert page.find("a", href="mailto:murat@buron.example").text == "murat@buron.example"
    assert page.find("a", href="tel:0471000000").text == "04 71 00 00 00"
    assert "Camille Hôte" in text

    connectivity = page.find("section", aria_labelledby="net-title")
    pairs = [n.text for n in connectivity.iter() if n.tag in {"dt", "dd"}]
    assert pairs == ["Fibre", "Yes", "Download speed", "200 Mbit/s", "Upload speed", "100 Mbit/s"]


def test_the_site_page_content_follows_the_language(client: Client, site: Site) -> None:
    french = get(client, "/sites/murat/").text
    english = get(client, "/en/sites/murat/").text
    assert "Au pied du rocher." in french
    assert "Below the rock." not in french
    assert "Below the rock." in english
    assert "Douche" in french
    assert "Shower" in english


def test_a_site_without_fibre_says_so_in_words(client: Client, site: Site) -> None:
    Site.objects.filter(pk=site.pk).update(has_fibre=False, download_mbps=None, upload_mbps=None)
    connectivity = get(client, "/en/sites/murat/").find("section", aria_labelledby="net-title")
    pairs = [n.text for n in connectivity.iter() if n.tag in {"dt", "dd"}]
    assert pairs == [
        "Fibre",
        "No",
        "Download speed",
        "not measured",
        "Upload speed",
        "not measured",
    ]


def test_the_site_page_counts_what_it_offers_per_kind(client: Client, site: Site) -> None:
    ResourceFactory(
        site=site, kind="visio_room", name="Salle visio", capacity=4, booking_unit="hour"
    )
    rows = table_rows(get(client, "/en/sites/murat/"), "Desks and rooms")
    assert [r[:3] for r in rows] == [
        ["Desk", "3", "3"],
        ["Meeting room", "1", "10"],
        ["Videoconference room", "1", "4"],
    ]
    assert rows[1][3] == "Salle Bonnevie: 10 people"


def test_the_site_page_shows_the_weekly_hours(client: Client, site: Site) -> None:
    rows = table_rows(get(client, "/en/sites/murat/"), "opening hours")
    assert rows[0] == ["Monday", "08:30–12:30", "13:30–18:00"]
    assert rows[5] == ["Saturday", "closed", "closed"]
    assert len(rows) == 7


@time_machine.travel(dt.datetime(2027, 1, 20, 10, tzinfo=dt.UTC), tick=False)
def test_the_site_page_shows_upcoming_closures_only(client: Client, site: Site) -> None:
    ClosureFactory(
        site=site,
        start_date=dt.date(2027, 2, 1),
        end_date=dt.date(2027, 2, 5),
        reason="works",
        note_en="New windows",
    )
    ClosureFactory(site=site, start_date=dt.date(2027, 1, 4), end_date=dt.date(2027, 1, 8))
    text = get(client, "/en/sites/murat/").text
    assert "From 1 February 2027 to 5 February 2027: Works — New windows" in text
    assert "4 January 2027" not in text


@time_machine.travel(dt.datetime(2027, 4, 20, 10, tzinfo=dt.UTC), tick=False)
def test_the_site_page_lists_the_next_public_holidays(client: Client, site: Site) -> None:
    page = get(client, "/sites/murat/")
    days = [
        t.attrs["datetime"]
        for t in page.find("section", aria_labelledby="hours-title").find_all("time")
    ]
    # 2027: 1 May, 8 May, Ascension 6 May, Whit Monday 17 May, 14 July.
    assert days == ["2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17", "2027-07-14"]
    assert "Fête du Travail" in page.text


@time_machine.travel(dt.datetime(2027, 5, 1, 10, tzinfo=dt.UTC), tick=False)
def test_the_site_page_says_it_is_closed_today_on_a_public_holiday(
    client: Client, site: Site
) -> None:
    today = get(client, "/sites/murat/").find("p", class_="today is-closed")
    assert "Fête du Travail" in today.text


@time_machine.travel(dt.datetime(2027, 5, 3, 10, tzinfo=dt.UTC), tick=False)
def test_the_site_page_gives_todays_hours_when_open(client: Client, site: Site) -> None:
    today = get(client, "/en/sites/murat/").find("p", class_="today is-open")
    assert "08:30–12:30" in today.text
    assert "13:30–18:00" in today.text


def test_the_site_page_shows_the_offers_on_sale_there(client: Client, site: Site) -> None:
    network = site.network
    OfferFactory(network=network, kind="day_pass", name_en="Day", net_price=Decimal("16.67"))
    reduced = OfferFactory(
        network=network,
        kind="day_pass",
        name_en="Day, reduced",
        net_price=Decimal("8.33"),
        category="job_seeker",
    )
    elsewhere = OfferFactory(network=network, kind="half_day_pass", name_en="Elsewhere")
    elsewhere.sites.add(SiteFactory(network=network, slug="ailleurs"))
    OfferFactory(network=network, kind="half_day_pass", name_en="Stopped", is_active=False)
    OfferFactory(kind="day_pass", name_en="Another network's")
    rows = table_rows(get(client, "/en/sites/murat/"), "Offers on sale at this site")
    assert rows == [
        ["Day, reduced", "€10", "€8.33", "reduced price: Job seekers"],
        ["Day", "€20", "€16.67", "—"],
    ]
    assert reduced.pk
    section = get(client, "/sites/murat/").find("section", aria_labelledby="prices-title").text
    assert "20\u00a0€" in section and "16,67\u00a0€" in section


def test_an_annex_links_to_its_telecentre_and_back(client: Client, site: Site) -> None:
    SiteFactory(network=site.network, kind="annex", parent=site, name="Extension", slug="ext")
    annex_page = get(client, "/en/sites/ext/")
    assert annex_page.find("p", class_="card-meta").find("a").attrs["href"] == "/en/sites/murat/"
    assert get(client, "/en/sites/murat/").find_all("a", href="/en/sites/ext/")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_an_unknown_site_is_not_found(client: Client, site: Site, prefix: str) -> None:
    get(client, f"{prefix}/sites/nowhere/", status=404)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_an_unpublished_site_is_not_found(client: Client, site: Site, prefix: str) -> None:
    Site.objects.filter(pk=site.pk).update(is_published=False)
    get(client, f"{prefix}/sites/murat/", status=404)


# --- Demo notice, statement, legal notice -------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/en/", "/sites/murat/", "/accessibilite/", "/en/mentions-legales/"]
)
def test_every_page_says_it_shows_demo_data_for_a_demo_network(
    client: Client, site: Site, url: str
) -> None:
    page = get(client, url)
    assert not page.find_all("div", class_="demo-notice")
    site.network.is_demo = True
    site.network.save()
    page = get(client, url)
    notice = page.find("div", class_="demo-notice")
    assert notice.attrs["role"] == "note"
    assert notice.text


def test_the_demo_notice_shows_on_the_not_found_page(client: Client, site: Site) -> None:
    site.network.is_demo = True
    site.network.save()
    page = get(client, "/sites/nowhere/", status=404)
    assert page.find_all("div", class_="demo-notice")
    assert len(page.find_all("h1")) == 1


def test_the_accessibility_statement_is_honest_and_gives_remedies(
    client: Client, site: Site
) -> None:
    network = site.network
    network.email = "accessibilite@reseau.example"
    network.save()
    page = get(client, "/en/accessibilite/")
    text = page.text
    assert "partially conformant" in text
    assert "RGAA version 4.1.2" in text
    assert "28 November 2026" in text
    assert "Non-conformities" in text
    assert "Défenseur des droits" in text
    assert "Libre réponse 71120" in text
    assert page.find_all("a", href="mailto:accessibilite@reseau.example")
    footer = page.find("footer")
    assert "partially conformant" in footer.text


def test_the_legal_notice_names_the_network_operator(client: Client, site: Site) -> None:
    network = site.network
    network.legal_name = "Agence d'attractivité du Cantal"
    network.siret = "12345678200010"
    network.address = "1 place de la Préfecture\n15000 Aurillac"
    network.email = "contact@reseau.example"
    network.is_demo = True
    network.save()
    page = get(client, "/en/mentions-legales/")
    text = page.text
    for expected in (
        "Réseau test",
        "Agence d'attractivité du Cantal",
        "12345678200010",
        "1 place de la Préfecture",
        "contact@reseau.example",
        "Demonstration data",
    ):
        assert expected in text, expected


def test_the_legal_notice_has_no_demo_section_for_a_real_network(
    client: Client, site: Site
) -> None:
    assert "Demonstration data" not in get(client, "/en/mentions-legales/").text


def test_the_legal_notice_names_the_host_when_configured(
    client: Client, site: Site, settings: Settings
) -> None:
    settings.BURON_HOSTING = "Hébergeur SAS, 1 rue du Serveur, 75000 Paris"
    assert "Hébergeur SAS" in get(client, "/en/mentions-legales/").text


def test_the_site_page_links_to_its_location_with_unlocalized_coordinates(
    client: Client, site: Site
) -> None:
    page = get(client, "/sites/murat/")
    links = [a.attrs["href"] for a in page.find_all("a") if "openstreetmap" in a.attrs["href"]]
    assert links == [
        "https://www.openstreetmap.org/?mlat=45.110573&mlon=2.869290#map=15/45.110573/2.869290"
    ]
    english = get(client, "/en/sites/murat/").text
    assert "Coordinates: latitude 45.11057, longitude 2.86929" in english
