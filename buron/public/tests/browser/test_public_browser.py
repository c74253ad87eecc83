"""The public site in headless Chromium, served like production (buron.core.testing.browser)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from buron.core.testing.browser import Visit

pytestmark = pytest.mark.browser

BUDGET_BYTES = 100 * 1024
BUDGET_TYPES = {"document", "stylesheet", "script", "font"}


def test_a_visitor_goes_from_the_list_to_a_site_and_reads_it_in_english(visit: Visit) -> None:
    page = visit.page
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    # The map is drawn, without any tile layer since no tile URL is configured.
    page.locator("#map .leaflet-marker-icon").first.wait_for()
    assert page.locator("#map-section").is_visible()
    points = json.loads(page.locator("#map-data").text_content() or "[]")
    assert page.locator("#map .leaflet-marker-icon").count() == len(points) > 1
    assert page.locator("#map .leaflet-tile-pane *").count() == 0

    page.locator(".site-list").get_by_role("link", name="Télécentre de Saint-Flour").click()
    page.wait_for_url("**/sites/saint-flour/")
    assert page.locator("h1").inner_text() == "Télécentre de Saint-Flour"
    assert page.locator("html").get_attribute("lang") == "fr"

    switch = page.locator("form.lang-switch button")
    assert switch.get_attribute("lang") == "en"
    switch.click()
    page.wait_for_url("**/en/sites/saint-flour/")
    assert page.url == visit.base_url + "/en/sites/saint-flour/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Télécentre de Saint-Flour"
    assert "In the upper town, overlooking the Planèze plateau." in page.inner_text("main")
    assert page.locator("form.lang-switch button").get_attribute("lang") == "fr"


def test_a_keyboard_user_opens_a_marker_and_follows_its_link(visit: Visit) -> None:
    page = visit.page
    page.goto("/en/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    marker = page.get_by_role("button", name="Télécentre de Mauriac")
    marker.focus()
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup-content a")
    link.wait_for()
    assert link.inner_text() == "Télécentre de Mauriac"
    link.click()
    page.wait_for_url("**/en/sites/mauriac/")


def test_without_javascript_the_list_and_coordinates_remain(browser: Any, server_url: str) -> None:
    context = browser.new_context(base_url=server_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    assert not page.locator("#map-section").is_visible()
    assert page.locator(".site-list .card").count() == 12
    page.locator("details.coords summary").click()
    assert page.locator("details.coords tbody tr").count() == 12
    context.close()


def _serious(results: Any) -> list[dict[str, Any]]:
    return [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/sites/aurillac/",
        "/en/sites/aurillac/",
        "/sites/montmurat/",
        "/accessibilite/",
        "/en/accessibilite/",
        "/mentions-legales/",
        "/en/mentions-legales/",
    ],
)
def test_axe_finds_no_serious_violation(visit: Visit, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = visit.page
    page.goto(path)
    if page.locator("#map").count():
        page.locator("#map .leaflet-marker-icon").first.wait_for()
        page.locator("details.coords summary").click()
    results = Axe().run(page)
    print(f"axe on {path}: {results.violations_count} violation(s)")
    if results.violations_count:
        print(results.generate_report())
    assert _serious(results) == [], results.generate_report()


def test_the_home_page_first_load_stays_under_100_kb(visit: Visit) -> None:
    page = visit.page
    page.goto("/", wait_until="load")
    page.locator("#map .leaflet-marker-icon").first.wait_for()
    page.wait_for_load_state("networkidle")

    by_type: dict[str, int] = {}
    rows = []
    total_all = 0
    for request in visit.finished:
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total_all += size
        rows.append((request.resource_type, size, request.url))
        if request.resource_type in BUDGET_TYPES:
            by_type[request.resource_type] = by_type.get(request.resource_type, 0) + size
    total = sum(by_type.values())
    for kind, size, url in rows:
        print(f"  {kind:<10} {size:>7} B  {url.removeprefix(visit.base_url)}")
    print(f"home page first load: {total} B of HTML, CSS, JS and fonts {by_type}")
    print(f"  ({total_all} B with the marker images)")

    assert {kind for kind, _size, _url in rows} >= {"document", "stylesheet", "script"}
    assert total < BUDGET_BYTES

    # The production path: hashed, compressed static files.
    leaflet = next(
        r
        for r in visit.finished
        if "/static/vendor/leaflet/leaflet." in r.url and r.url.endswith(".js")
    )
    assert leaflet.url != visit.base_url + "/static/vendor/leaflet/leaflet.js"
    response = leaflet.response()
    assert response is not None
    assert response.header_value("content-encoding") in {"gzip", "br"}
