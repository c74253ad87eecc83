"""The observatory's pages, exports and yearly report on the hand-built history of
test_summary (each figure worked out there); who may read what."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
import tablib
import time_machine
from pypdf import PdfReader

from buron.accounts.models import Role, User
from buron.accounts.tests.factories import UserFactory
from buron.observatory.models import ObservatorySettings

from .test_summary import staff

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PERIOD = "?start=2027-03-01&end=2027-03-05"


def get(client, user, url):
    with time_machine.travel(dt.datetime(2027, 3, 8, 9, tzinfo=PARIS), tick=False):
        if user is not None:
            client.force_login(user)
        return client.get(url)


def host_of_murat(world):
    return staff(
        "host.murat@example.org", network=world["cantal"], site=world["murat"], role=Role.SITE_HOST
    )


def test_the_page_shows_each_figure_with_its_chart_and_table(client, world):
    admin = staff("admin@example.org", network=world["cantal"], role=Role.NETWORK_ADMIN)
    ObservatorySettings.objects.create(
        network=world["cantal"],
        salaried_reference_share="0.06",
        salaried_reference_source="DARES 2023",
    )
    response = get(client, admin, "/observatoire/" + PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    # Occupancy 6 / 28 (see test_summary), shown as a figure of the headline table.
    assert "<td>0,2143</td>" in page
    # Every chart is an SVG with a title and a description, with the values written out.
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 8
    assert page.count("<title id=") == 8 and page.count("<desc id=") == 8
    # Salaried 2 of 5 visits beside the national reference and its source.
    assert "DARES 2023" in page and "40.0%" in page and "6.0%" in page
    # Busiest days: Monday 2 visits (A at Murat, none elsewhere in Cantal... Mende is Lozère).
    assert "Occupancy rate = occupied bookable half-days" in page or "Taux" in page
    assert "Mende" not in page


def test_tables_export_as_csv_xlsx_and_ods(client, world):
    host = host_of_murat(world)
    response = get(client, host, "/observatoire/export/status.csv" + PERIOD)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # Murat: salaried 2, freelancer 1, job seeker 1 of 4 visits.
    assert sorted((r[1], r[2]) for r in rows[1:]) == [("1", "0.25"), ("1", "0.25"), ("2", "0.5")]
    for fmt in ("xlsx", "ods"):
        response = get(client, host, f"/observatoire/export/headline.{fmt}" + PERIOD)
        assert response.status_code == 200
        data = tablib.Dataset().load(response.content, format=fmt)
        figures = {row[0]: row[1] for row in data}
        assert int(figures[next(k for k in figures if "Visit" in k or "Visite" in k)]) == 4
    assert get(client, host, "/observatoire/export/status.pdf" + PERIOD).status_code == 404
    assert get(client, host, "/observatoire/export/nothing.csv" + PERIOD).status_code == 404


def test_tenancy_members_get_403_hosts_never_see_another_site(client, world):
    assert get(client, None, "/observatoire/" + PERIOD).status_code == 302
    member = UserFactory(email="member@example.org")
    for url in (
        "/observatoire/",
        "/observatoire/export/status.csv",
        "/observatoire/rapport-2027.pdf",
        "/observatoire/donnees-ouvertes.csv",
    ):
        assert get(client, member, url + PERIOD).status_code == 403
    client.logout()
    host = host_of_murat(world)
    for url in (
        "/observatoire/",
        "/observatoire/export/status.csv",
        "/observatoire/donnees-ouvertes.csv",
    ):
        assert get(client, host, url + PERIOD + "&site=allanche").status_code == 404
        assert get(client, host, url + PERIOD + "&site=mende").status_code == 404
    assert get(client, host, "/observatoire/rapport-2027.pdf?site=mende").status_code == 404
    rows = list(
        csv.reader(
            io.StringIO(
                get(client, host, "/observatoire/export/headline.csv" + PERIOD).content.decode()
            )
        )
    )
    assert rows[4][1] == "4"  # visits: Murat's only, not Allanche's fifth


def test_bad_periods_are_refused_in_the_users_language(client, world):
    host = host_of_murat(world)
    response = get(client, host, "/observatoire/?start=2027-03-05&end=2027-03-01")
    assert response.status_code == 200
    assert (
        "Le dernier jour" in response.content.decode()
        or "The last day" in response.content.decode()
    )
    assert "<svg" not in response.content.decode()
    assert (
        get(client, host, "/observatoire/export/status.csv?start=x&end=2027-03-01").status_code
        == 404
    )


def test_the_yearly_report_reads_back_as_text(client, world):
    admin = staff("admin@example.org", network=world["cantal"], role=Role.NETWORK_ADMIN)
    response = get(client, admin, "/observatoire/rapport-2027.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "2027" in text
    assert world["murat"].name in text and world["allanche"].name in text
    assert world["mende"].name not in text
    # The year's visits in Cantal, all in March: 5 (see test_summary).
    assert "2027-03\n5\n" in text and "2027-04\n0\n" in text
    root = User.objects.create_superuser("root@example.org", "a long password")
    assert get(client, root, "/observatoire/rapport-1999.pdf").status_code == 404
