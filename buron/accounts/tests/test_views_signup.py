"""Sign-up, email verification, sign-in and sign-out pages (django-allauth, our templates)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from buron.accounts.models import MemberProfile, StatusPeriod, User
from buron.accounts.tests.factories import UserFactory
from buron.places.communes import search_name
from buron.places.models import Commune

pytestmark = pytest.mark.django_db

PASSWORD = "a long and quiet walk 42"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts sign-ups and emails per address in the cache: start each test afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def communes(db):
    """Murat of the Cantal and Murat of the Allier (values from the official table)."""
    return [
        Commune.objects.create(
            insee_code="15138",
            name="Murat",
            search_name=search_name("Murat"),
            postal_code="15300",
            department="15",
            latitude=Decimal("45.110573"),
            longitude=Decimal("2.869290"),
        ),
        Commune.objects.create(
            insee_code="03191",
            name="Murat",
            search_name=search_name("Murat"),
            postal_code="03390",
            department="03",
            latitude=Decimal("46.410977"),
            longitude=Decimal("2.904070"),
        ),
    ]


def signup(client, **changes):
    data = {
        "email": "claude@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "Claude",
        "last_name": "Vidal",
        "status": "freelancer",
        "employer_name": "",
        "commune": "Murat (15300)",
        **changes,
    }
    return client.post(reverse("account_signup"), data)


def error_codes(response, field):
    return [e.code for e in response.context["form"].errors.as_data().get(field, [])]


def test_the_signup_page_uses_the_sites_layout_with_labelled_fields(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html  # extends base.html
    for name in ("email", "password1", "password2", "first_name", "last_name", "commune"):
        assert f'<label for="id_{name}">' in html
    assert "<legend>About you</legend>" in html
    assert 'aria-describedby="id_commune_helptext"' in html


def test_signup_creates_the_member_with_profile_and_status_and_sends_the_verification(
    client, communes
):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="claude@example.org")
    assert (user.first_name, user.last_name) == ("Claude", "Vidal")
    assert MemberProfile.objects.get(user=user).commune_id == "15138"
    assert list(StatusPeriod.objects.filter(user=user).values_list("status", flat=True)) == [
        "freelancer"
    ]
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claude@example.org"]


def test_the_verification_sent_page_says_what_to_do(client, communes):
    response = signup(client)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Confirm your email address" in html and "spam" in html
    assert 'class="site-header"' in html


def test_the_link_in_the_email_confirms_the_address_and_signs_in(client, communes):
    signup(client)
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200
    assert not EmailAddress.objects.get(email="claude@example.org").verified  # not on GET
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="claude@example.org").verified
    assert client.get(reverse("booking:search")).status_code == 200  # signed in


def test_the_confirmation_page_asks_to_confirm_the_address(client, communes):
    signup(client)
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    html = client.get(link).content.decode()
    assert "Confirm my address" in html and "claude@example.org" in html
    assert 'class="site-header"' in html
    html = client.get(reverse("account_confirm_email", kwargs={"key": "nonsense"})).content
    assert b"This confirmation link has expired or is not valid." in html


def test_a_salaried_remote_worker_must_name_their_employer(client, communes):
    response = signup(client, status="salaried_remote", employer_name="  ")
    assert response.status_code == 200
    assert error_codes(response, "employer_name") != []
    html = response.content.decode()
    assert "A salaried remote worker names their employer." in html
    assert 'id="id_employer_name_error"' in html
    assert "id_employer_name_error" in re.search(
        r'<input[^>]*name="employer_name"[^>]*>', html
    ).group(0)
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_salaried_remote_worker_with_an_employer_is_recorded_with_it(client, communes):
    signup(client, status="salaried_remote", employer_name="Acme SA")
    period = StatusPeriod.objects.get(user__email="claude@example.org")
    assert (period.status, period.employer_name) == ("salaried_remote", "Acme SA")


def test_an_unknown_commune_is_refused_on_its_field(client, communes):
    response = signup(client, commune="Atlantis")
    assert error_codes(response, "commune") == ["unknown"]
    html = response.content.decode()
    assert "No commune matches “Atlantis”" in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.exists()


def test_an_ambiguous_commune_lists_the_candidates(client, communes):
    response = signup(client, commune="Murat")
    assert error_codes(response, "commune") == ["ambiguous"]
    html = response.content.decode()
    assert "Murat (15300)" in html and "Murat (03390)" in html
    assert not User.objects.exists()
    # With its postal code, the same name is enough.
    assert signup(client, commune="Murat 03390").status_code == 302
    assert MemberProfile.objects.get().commune_id == "03191"


def test_a_missing_name_and_a_mismatched_password_are_each_on_their_field(client, communes):
    response = signup(client, first_name="", password2="something else entirely")
    assert error_codes(response, "first_name") == ["required"]
    assert response.context["form"].errors.get("password2")
    assert not User.objects.exists()


def test_a_refused_signup_lists_the_errors_at_the_top_with_links(client, communes):
    response = signup(client, first_name="", commune="Atlantis")
    html = response.content.decode()
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    assert '<a href="#id_first_name">' in summary and '<a href="#id_commune">' in summary


def test_the_login_page_uses_the_sites_layout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login">' in html and 'class="site-header"' in html
    assert f'href="{reverse("account_signup")}"' in html


def test_the_login_page_signs_in_a_verified_member(client):
    user = UserFactory(email="dana@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"), {"login": "dana@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:search")


def test_a_wrong_password_is_said_on_the_login_page(client):
    UserFactory(email="dana@example.org")
    response = client.post(
        reverse("account_login"), {"login": "dana@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_the_logout_page_asks_first(client):
    client.force_login(UserFactory())
    page = client.get(reverse("account_logout"))
    assert "Do you want to sign out" in page.content.decode()


def test_the_logout_page_signs_out_on_post(client):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
