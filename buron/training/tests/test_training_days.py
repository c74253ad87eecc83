"""Training days in the observatory, on a history built by hand: learner half-days attended
at the sites in view over the period, halved; corrections count, absences and other sites or
periods do not. Shown on the observatory's page and in its summary API."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from buron.accounts.services import api_token_create
from buron.observatory.selectors import dashboard_for, training_days_for
from buron.places.models import Site
from buron.places.tests.factories import ResourceFactory, SiteFactory, open_all_week
from buron.training import services
from buron.training.models import AttendanceLine

from .conftest import DAY, at, schedule
from .test_attendance import _full_day

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NEXT_WEEK = DAY + dt.timedelta(days=7)


@pytest.fixture
def history(people, session, trainer, admin, programme, site, room):
    """At Murat on DAY: Camille both half-days, Jean the morning (absent in the afternoon,
    3 learner half-days). A week later at Murat, a session cancelled before it ran. At
    Riom, another site of the network: nothing."""
    _full_day(people, session, trainer)
    cancelled = schedule(programme, site, room, admin, trainer, day=NEXT_WEEK)
    services.session_cancel(session=cancelled, by=admin, now=at(DAY, 18))
    other = SiteFactory(network=site.network, slug="riom", name="Riom-ès-Montagnes")
    open_all_week(other)
    ResourceFactory(site=other, kind="meeting_room", name="Salle", booking_unit="hour")
    return site


def days(sites, start: dt.date, end: dt.date) -> Decimal:
    return training_days_for(sites=sites, start=start, end=end)


def test_learner_half_days_attended_are_halved(history):
    murat = Site.objects.filter(pk=history.pk)
    assert days(murat, DAY, DAY) == Decimal("1.5")
    assert days(Site.objects.all(), DAY - dt.timedelta(days=3), NEXT_WEEK) == Decimal("1.5")


def test_other_sites_and_periods_count_nothing(history):
    assert days(Site.objects.filter(slug="riom"), DAY, DAY) == 0
    murat = Site.objects.filter(pk=history.pk)
    assert days(murat, DAY + dt.timedelta(days=1), NEXT_WEEK) == 0
    assert days(murat, DAY - dt.timedelta(days=7), DAY - dt.timedelta(days=1)) == 0


def test_a_correction_counts_as_the_sheet_now_says(history, people, admin):
    _a, b = people
    absent = AttendanceLine.objects.get(enrolment=b, sheet__half_day__period="pm")
    services.line_correct(
        line=absent,
        by=admin,
        reason="Jean était là : feuille mal remplie.",
        presence="present",
        now=at(DAY, 18),
    )
    assert days(Site.objects.all(), DAY, DAY) == Decimal("2.0")
    present = AttendanceLine.objects.get(enrolment=b, sheet__half_day__period="am")
    services.line_correct(
        line=present, by=admin, reason="Parti avant le début.", presence="absent", now=at(DAY, 19)
    )
    assert days(Site.objects.all(), DAY, DAY) == Decimal("1.5")


def test_the_observatory_page_and_api_show_training_days(history, admin, client):
    figures = dashboard_for(sites=Site.objects.all(), start=DAY, end=DAY)
    assert figures.training_days == Decimal("1.5")
    with time_machine.travel(dt.datetime(2027, 3, 8, 9, tzinfo=PARIS), tick=False):
        client.force_login(admin)
        page = client.get("/en/observatoire/?start=2027-03-01&end=2027-03-05").content.decode()
        token = api_token_create(user=admin)
        answer = client.get(
            "/api/v1/observatory/summary?from=2027-03-01&to=2027-03-05",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).json()
    assert "<th>Training days</th>" in page or "Training days" in page
    assert "<td>1.5</td>" in page
    assert "learner half-days attended / 2" in page
    assert answer["training_days"] == 1.5
