"""A training's whole path in headless Chromium, on the served demo network: an adviser
enrols a job seeker, the learner signs the half-day on a phone-sized screen and answers the
satisfaction survey there, the trainer countersigns, and the certificate downloads."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from buron.core.testing.browser import PROJECT_DIR, Visit
from buron.demo import network as demo
from buron.demo.trainings import ADVISER_EMAIL, TRAINER_EMAIL

pytestmark = pytest.mark.browser

LEARNER = "apprenant2@buron.example"  # a demo job seeker with a password

# A session whose only half-day starts a minute from now at Saint-Flour, scheduled on the
# served site's database (registration closes when it starts).
SCHEDULE = """
import datetime as dt, zoneinfo
from django.utils import timezone
from buron.accounts.models import User
from buron.places.models import Resource, Site
from buron.training import services
from buron.training.models import Programme
tz = zoneinfo.ZoneInfo("Europe/Paris")
now = timezone.now().astimezone(tz)
start = (now + dt.timedelta(seconds=75)).replace(microsecond=0)
end = min(start + dt.timedelta(hours=2), start.replace(hour=23, minute=59, second=59))
site = Site.objects.get(slug="saint-flour")
session = services.session_schedule(
    programme=Programme.objects.get(slug="outils-collaboratifs"),
    room=Resource.objects.get(site=site, kind="meeting_room"),
    half_days=[services.HalfDaySpec(start.date(), "am" if start.hour < 13 else "pm",
                                    start.timetz().replace(tzinfo=None),
                                    end.timetz().replace(tzinfo=None))],
    capacity=4, minimum=1, registration_deadline=start,
    trainer=User.objects.get(email="%(trainer)s"),
    by=User.objects.get(email="%(admin)s"), now=now,
)
print(session.pk, int(start.timestamp()))
"""


# Open the session's end-of-training survey now (as the task does when a session ends).
OPEN_SURVEY = """
from django.utils import timezone
from buron.training import services
from buron.training.models import Session
services.survey_open(session=Session.objects.get(pk=%(pk)s), kind="end", now=timezone.now())
"""


def shell(served_dir: Path, code: str) -> str:
    """Run code in `manage.py shell` on the served site's database; what it printed."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SQLITE_NAME": str(served_dir / "db.sqlite3"),
            "DEBUG": "1",
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "EMAIL_FILE_PATH": str(served_dir / "mail"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def schedule_now(served_dir: Path) -> tuple[int, int]:
    code = SCHEDULE % {"trainer": TRAINER_EMAIL, "admin": demo.NETWORK_ADMIN_EMAIL}
    pk, starts = shell(served_dir, code).split()[-2:]
    return int(pk), int(starts)


def sign_in(page: Any, email: str) -> None:
    page.goto("/en/compte/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def draw(page: Any, canvas: str) -> None:
    page.locator(canvas).scroll_into_view_if_needed()
    box = page.locator(canvas).bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 20, y + (15 if step % 2 else -15))
    page.mouse.up()


def test_an_adviser_enrols_the_learner_signs_on_a_phone_the_trainer_countersigns(
    visit: Visit, browser: Any, server_url: str, served_dir: Path
) -> None:
    session_pk, starts = schedule_now(served_dir)

    # The adviser enrols a job seeker.
    page = visit.page
    sign_in(page, ADVISER_EMAIL)
    page.goto("/en/formations/conseiller/")
    page.get_by_label("Session").select_option(str(session_pk))
    page.get_by_label("Job seeker's email").fill(LEARNER)
    page.get_by_label("First name").fill("Mathis")
    page.get_by_label("Last name").fill("Roux")
    page.get_by_label("France Travail identifier").fill("1000002B")
    page.get_by_label("Funding").select_option("aif")
    page.get_by_label("Funder").select_option(label="France Travail — agence de démonstration")
    page.get_by_role("button", name="Enrol").click()
    page.wait_for_load_state()
    assert "Enrolled: the convocation is sent by email." in page.content()

    # The learner signs on a phone once the half-day has started.
    phone = browser.new_context(
        base_url=server_url,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        learner = phone.new_page()
        sign_in(learner, LEARNER)
        time.sleep(max(0, starts - time.time() + 2))
        learner.goto("/en/formations/mes-formations/")
        learner.get_by_role("link", name="Sign the attendance sheet").first.click()
        learner.wait_for_load_state()
        draw(learner, "#learner-pad")
        learner.get_by_role("button", name="Sign", exact=True).click()
        learner.wait_for_load_state()
        assert "You signed at" in learner.content()

        # The survey opens; the learner answers it on the phone, from "My trainings".
        shell(served_dir, OPEN_SURVEY % {"pk": session_pk})
        learner.goto("/en/formations/mes-formations/")
        learner.get_by_role("link", name="Give your opinion on this training").first.click()
        learner.wait_for_load_state()
        fieldsets = learner.locator("fieldset.rating")
        assert fieldsets.count() == 6
        for index in range(fieldsets.count()):
            fieldsets.nth(index).get_by_label("4 — satisfied").check()
        learner.get_by_label("Comments (optional)").fill("Clair et concret.")
        width = learner.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # no horizontal scrolling on the phone
        learner.get_by_role("button", name="Send my answers").click()
        learner.wait_for_load_state()
        assert "your answers are recorded" in learner.content()
    finally:
        phone.close()

    # The trainer countersigns.
    trainer = browser.new_context(base_url=server_url, locale="fr-FR")
    try:
        page = trainer.new_page()
        sign_in(page, TRAINER_EMAIL)
        page.goto("/en/formations/animation/")
        page.locator(f"#session-{session_pk}").locator("xpath=..").get_by_role(
            "link", name="Attendance sheet"
        ).first.click()
        page.wait_for_load_state()
        assert "Signed at" in page.content()
        draw(page, "#trainer-pad")
        page.get_by_role("button", name="Countersign the sheet").click()
        page.wait_for_load_state()
        assert "this sheet is final" in page.content(), page.locator("main").inner_text()
    finally:
        trainer.close()

    # The adviser downloads the learner's certificate.
    page = visit.page
    page.goto("/en/formations/conseiller/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Certificate (PDF) Mathis Roux").first.click()
    content = Path(download.value.path()).read_bytes()
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert "Mathis ROUX" in text
    assert "Les outils collaboratifs du télétravail" in text
