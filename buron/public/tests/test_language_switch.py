from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buron.places.models import Site
from buron.places.tests.factories import SiteFactory

from .html import Node, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Site:
    return SiteFactory(name="Télécentre d'Allanche", slug="allanche")


def switch_forms(page: Node) -> list[Node]:
    return [f for f in page.find_all("form") if "lang-switch" in f.classes()]


@pytest.mark.parametrize(
    ("url", "target", "expected_next", "label"),
    [
        ("/", "en", "/en/", "English"),
        ("/en/", "fr", "/", "Français"),
        ("/sites/allanche/", "en", "/en/sites/allanche/", "English"),
        ("/en/sites/allanche/", "fr", "/sites/allanche/", "Français"),
        ("/accessibilite/", "en", "/en/accessibilite/", "English"),
        ("/en/mentions-legales/", "fr", "/mentions-legales/", "Français"),
    ],
)
def test_the_switch_posts_to_set_language_with_the_translated_page(
    client: Client, site: Site, url: str, target: str, expected_next: str, label: str
) -> None:
    forms = switch_forms(parse(client.get(url).content))
    assert len(forms) == 1
    form = forms[0]
    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == reverse("set_language") == "/i18n/setlang/"
    assert form.find("input", name="next").attrs["value"] == expected_next
    assert form.find_all("input", name="csrfmiddlewaretoken")
    button = form.find("button")
    assert button.attrs["type"] == "submit"
    assert button.attrs["name"] == "language"
    assert button.attrs["value"] == target
    assert button.attrs["lang"] == target
    assert button.text == label


@pytest.mark.parametrize(
    ("url", "alternates"),
    [
        (
            "/sites/allanche/",
            {
                "fr": "http://testserver/sites/allanche/",
                "en": "http://testserver/en/sites/allanche/",
            },
        ),
        ("/en/", {"fr": "http://testserver/", "en": "http://testserver/en/"}),
    ],
)
def test_each_page_links_to_its_versions_with_hreflang(
    client: Client, site: Site, url: str, alternates: dict[str, str]
) -> None:
    page = parse(client.get(url).content)
    links = {
        link.attrs["hreflang"]: link.attrs["href"]
        for link in page.find_all("link", rel="alternate")
    }
    assert links == alternates


def test_posting_the_switch_leads_to_the_same_site_in_english(client: Client, site: Site) -> None:
    client = Client(enforce_csrf_checks=True)
    page = parse(client.get("/sites/allanche/").content)
    form = switch_forms(page)[0]
    data = {
        "csrfmiddlewaretoken": form.find("input", name="csrfmiddlewaretoken").attrs["value"],
        "next": form.find("input", name="next").attrs["value"],
        "language": form.find("button").attrs["value"],
    }
    response = client.post(form.attrs["action"], data)
    assert response.status_code == 302
    assert response["Location"] == "/en/sites/allanche/"
    english = parse(client.get(response["Location"]).content)
    assert english.find("html").attrs["lang"] == "en"
    assert english.find("h1").text == "Télécentre d'Allanche"

    back = switch_forms(english)[0]
    response = client.post(
        back.attrs["action"],
        {
            "csrfmiddlewaretoken": back.find("input", name="csrfmiddlewaretoken").attrs["value"],
            "next": back.find("input", name="next").attrs["value"],
            "language": "fr",
        },
    )
    assert response["Location"] == "/sites/allanche/"
    assert parse(client.get("/sites/allanche/").content).find("html").attrs["lang"] == "fr"
