"""The open-data export never shows a group of fewer than 5 people (hypothesis), and its
hidden figures cannot be worked out by subtraction; on a hand-built month, the expected
lines worked out by hand."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buron.accounts.tests.factories import UserFactory
from buron.attendance.models import Visit
from buron.observatory.opendata import COLUMNS, MIN_GROUP, STATUSES, open_data_rows
from buron.places.models import Site
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
START, END = dt.date(2027, 3, 1), dt.date(2027, 4, 30)
STATUS_CODES = ["salaried_remote", "freelancer", "student", "job_seeker", ""]


@pytest.fixture
def place(db: None):
    site = SiteFactory(network=NetworkFactory(slug="cantal"), slug="murat")
    members = [UserFactory(email=f"od{n}@example.org") for n in range(12)]
    return site, members


def _visit(site, day, member, status):
    return Visit(
        network_id=site.network_id,
        site=site,
        day=day,
        arrived_at=dt.datetime.combine(day, dt.time(9), tzinfo=PARIS),
        client_uuid=uuid.uuid4(),
        source="walk_in" if member is None else "qr",
        member=member,
        visitor_status=status,
    )


visit_specs = st.lists(
    st.tuples(
        st.integers(0, 60),  # day from START
        st.one_of(st.none(), st.integers(0, 11)),  # member, or a walk-in
        st.sampled_from(STATUS_CODES),
    ),
    max_size=60,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=visit_specs)
def test_no_group_under_five_people_ever_appears(place, specs):
    site, members = place
    Visit.objects.all().delete()
    seen: set[tuple[int, dt.date]] = set()
    visits = []
    for offset, m, status in specs:
        day = START + dt.timedelta(days=offset)
        member = None if m is None else members[m]
        if member is not None and (member.pk, day) in seen:
            continue  # a member counts once per site and day
        if member is not None:
            seen.add((member.pk, day))
        visits.append(_visit(site, day, member, status))
    Visit.objects.bulk_create(visits)
    stored = list(Visit.objects.all())
    rows = open_data_rows(sites=Site.objects.filter(pk=site.pk), start=START, end=END)
    for row in rows:
        assert set(row) == set(COLUMNS)
        month = [v for v in stored if v.day.strftime("%Y-%m") == row["month"]]

        def person(v):
            return v.member_id if v.member_id is not None else ("w", v.pk)

        people = {person(v) for v in month}
        if row["suppressed"] == "row":
            assert len(people) < MIN_GROUP
            assert all(row[c] == "" for c in COLUMNS if c.startswith("visit"))
            continue
        assert row["visitors"] == len(people) >= MIN_GROUP
        shown_total = 0
        for status in STATUSES:
            cell = row[f"visits_{status}"]
            if cell == "":
                continue
            group = [v for v in month if (v.visitor_status or "unknown") == status]
            assert cell == len(group)
            assert len(group) == 0 or len({person(v) for v in group}) >= MIN_GROUP
            shown_total += cell
        hidden = [v for v in month if row[f"visits_{v.visitor_status or 'unknown'}"] == ""]
        assert row["visits_other_statuses"] == len(hidden)
        assert not hidden or len({person(v) for v in hidden}) >= MIN_GROUP
        # Nothing hidden can be worked out by subtraction.
        assert shown_total + row["visits_other_statuses"] == row["visits"] == len(month)


def test_a_hand_built_month(place):
    site, members = place
    day = dt.date(2027, 3, 2)
    # March: 6 salaried members (one comes twice), 3 freelancers, 2 student walk-ins.
    visits = [_visit(site, day, members[n], "salaried_remote") for n in range(6)]
    visits.append(_visit(site, day + dt.timedelta(days=1), members[0], "salaried_remote"))
    visits += [_visit(site, day, members[6 + n], "freelancer") for n in range(3)]
    visits += [_visit(site, day, None, "student") for _n in range(2)]
    # April: 4 people only.
    visits += [_visit(site, dt.date(2027, 4, 6), members[n], "freelancer") for n in range(4)]
    Visit.objects.bulk_create(visits)
    march, april = open_data_rows(sites=Site.objects.filter(pk=site.pk), start=START, end=END)
    # 11 people, 12 visits; salaried (6 people, 7 visits) shown; freelancers (3) and
    # students (2) merged: 5 people, 5 visits.
    assert (march["visitors"], march["visits"]) == (11, 12)
    assert march["visits_salaried_remote"] == 7
    assert march["visits_freelancer"] == "" and march["visits_student"] == ""
    assert march["visits_other_statuses"] == 5
    assert march["visits_job_seeker"] == 0
    assert march["suppressed"] == "merged: freelancer student"
    assert april["suppressed"] == "row" and april["visits"] == "" and april["visitors"] == ""
