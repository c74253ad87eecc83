"""The Content-Security-Policy holds in Chromium: the public, member, host and admin pages
load with no script or style refused (no inline script or style anywhere)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters

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


def enrol_second_factor(visit: Visit) -> None:
    """A superuser is sent to enrol an authenticator app before the admin: do it (its pages
    are checked too), with a code computed from the secret shown."""
    page = visit.page
    page.goto("/en/admin/", wait_until="load")
    if "/compte/reauthenticate/" in page.url:
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
    assert "/compte/2fa/totp/activate/" in page.url, page.url
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, next(counters()))))
    with page.expect_navigation():
        page.press("input[name=code]", "Enter")
    assert "/totp/activate/" not in page.url, page.url


def test_host_and_admin_pages_break_no_rule(visit: Visit) -> None:
    sign_in(visit, "admin@buron.example", "/en/compte/")
    enrol_second_factor(visit)
    assert visit.csp_violations == []
    for path in (
        "/en/admin/",
        "/en/admin/places/site/",
        "/en/admin/places/site/add/",
        "/en/gestion/",
    ):
        visit.page.goto(path, wait_until="load")
        assert visit.csp_violations == [], path
