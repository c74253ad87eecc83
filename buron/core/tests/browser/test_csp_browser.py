"""The Content-Security-Policy holds in Chromium: the public, member, host and admin pages
load with no script or style refused (no inline script or style anywhere)."""

from __future__ import annotations

import pytest

from buron.core.testing.browser import Visit

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "buron-demo-2026"


def sign_in(visit: Visit, email: str, next_url: str) -> None:
    page = visit.page
    page.goto(f"/en/compte/login/?next={next_url}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert page.url.endswith(next_url), page.url


def test_the_policy_is_sent_and_a_refused_inline_script_is_reported(visit: Visit) -> None:
    """The check itself works: an inline script added to a page is refused and seen."""
    response = visit.page.goto("/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    visit.page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ranInline = true'; document.body.appendChild(s); }"
    )
    visit.page.wait_for_timeout(200)
    assert visit.page.evaluate("() => window.ranInline === undefined")
    assert visit.csp_violations, "Chromium reported no refused inline script"
    visit.csp_violations.clear()


@pytest.mark.parametrize("path", ["/", "/en/", "/en/compte/login/", "/en/compte/signup/"])
def test_public_pages_break_no_rule(visit: Visit, path: str) -> None:
    visit.page.goto(path, wait_until="load")
    assert visit.csp_violations == []


def test_member_pages_break_no_rule(visit: Visit) -> None:
    sign_in(visit, "membre@buron.example", "/en/reserver/")
    for path in ("/en/reserver/", "/en/mes-reservations/", "/en/compte/", "/en/compte/profil/"):
        visit.page.goto(path, wait_until="load")
        assert visit.csp_violations == [], path


def test_host_and_admin_pages_break_no_rule(visit: Visit) -> None:
    sign_in(visit, "admin@buron.example", "/en/admin/")
    for path in (
        "/en/admin/",
        "/en/admin/places/site/",
        "/en/admin/places/site/add/",
        "/en/gestion/",
    ):
        visit.page.goto(path, wait_until="load")
        assert visit.csp_violations == [], path
