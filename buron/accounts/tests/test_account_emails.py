"""The account emails (verification, password reset, unknown address): Buron's words in
the network's name and the page's language, HTML with a plain-text part, no HTML entity in
the subject or the plain text."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from buron.accounts.models import MemberProfile
from buron.accounts.tests.factories import UserFactory
from buron.places.communes import search_name
from buron.places.models import Commune
from buron.places.tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and quiet walk 42"
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
NETWORK = "Réseau d'Aurillac"


@pytest.fixture(autouse=True)
def _setting(db):
    cache.clear()
    NetworkFactory(name=NETWORK)
    Commune.objects.create(
        insee_code="15138",
        name="Murat",
        search_name=search_name("Murat"),
        postal_code="15300",
        department="15",
        latitude=Decimal("45.110573"),
        longitude=Decimal("2.869290"),
    )
    yield
    cache.clear()


def assert_clean(message):
    assert not ENTITY.search(message.subject), message.subject
    assert not ENTITY.search(message.body), message.body
    (html_part, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert "Réseau d&#x27;Aurillac" in html_part
    assert NETWORK in message.body
    assert message.from_email == f'"{NETWORK}" <noreply@buron.invalid>' or message.from_email == (
        f"{NETWORK} <noreply@buron.invalid>"
    )
    assert "127.0.0.1:8000 !" not in message.body and "c'est" not in message.body
    return html_part


def signup(client, language):
    with translation.override(language):
        return client.post(
            reverse("account_signup"),
            {
                "email": "claude@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "first_name": "Claude",
                "last_name": "Vidal",
                "status": "freelancer",
                "employer_name": "",
                "commune": "Murat (15300)",
            },
        )


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        (
            "fr",
            f"Confirmez votre adresse électronique pour {NETWORK}",
            "confirmez votre adresse électronique\u00a0:",
        ),
        ("en", f"Confirm your email address for {NETWORK}", "confirm your email address:"),
    ],
)
def test_the_verification_email_in_each_language(client, language, subject, words):
    response = signup(client, language)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["claude@example.org"]
    assert message.subject == subject
    assert words in message.body
    assert re.search(r"https?://\S+/compte/confirm-email/\S+/", message.body)
    html_part = assert_clean(message)
    assert "/compte/confirm-email/" in html_part
    profile = MemberProfile.objects.get(user__email="claude@example.org")
    assert profile.language == language, "the member's emails keep the sign-up language"


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("fr", f"Choisir un nouveau mot de passe pour {NETWORK}", "Bonjour,"),
        ("en", f"Choose a new password for {NETWORK}", "Hello,"),
    ],
)
def test_the_password_reset_email_in_each_language(client, language, subject, words):
    user = UserFactory(email="camille@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    with translation.override(language):
        response = client.post(reverse("account_reset_password"), {"email": "camille@example.org"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == subject
    assert words in message.body
    assert "/compte/password/reset/key/" in message.body
    assert_clean(message)


def test_an_unknown_address_is_told_so_in_the_network_s_name(client):
    with translation.override("en"):
        client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    (message,) = mail.outbox
    assert message.subject == f"Your request to {NETWORK}"
    assert "no account uses it" in message.body
    assert_clean(message)


def test_the_account_emails_go_through_the_background_queue(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    signup(client, "en")
    assert mail.outbox == []
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "buron.core.emails.email_deliver"
