"""Rollups equal a raw recount exactly after any sequence of bookings, check-ins,
walk-ins, no-show releases, cancellations and status corrections: the hooks queue the
site-days they touch and the task recomputes them (run at commit, as the queue would)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from buron.accounts.models import User
from buron.accounts.services import member_close, member_status_change
from buron.accounts.tests.factories import UserFactory
from buron.attendance.services import visit_checkin, visit_walk_in
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.models import Booking, BookingStatus
from buron.booking.services import booking_cancel, booking_create_half_day, booking_release
from buron.observatory.models import SiteDay, SiteDayMember
from buron.observatory.raw import day_figures, range_figures
from buron.observatory.selectors import summary_for, summary_raw
from buron.observatory.services import rollups_refresh
from buron.places.models import Site
from buron.places.tests.factories import (
    CommuneFactory,
    NetworkFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DAYS = [dt.date(2027, 3, 1) + dt.timedelta(days=n) for n in range(3)]  # Monday to Wednesday
BEFORE = dt.datetime(2027, 2, 22, 9, tzinfo=PARIS)
LATER = dt.datetime(2027, 3, 4, 9, tzinfo=PARIS)
STATUSES = ["salaried_remote", "freelancer", "student"]


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def committed():
    """Run the on-commit callbacks (the queued rollup tasks) as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


class RollupMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        SiteDay.objects.all().delete()
        SiteDayMember.objects.all().delete()
        self.sites = list(Site.objects.select_related("network").order_by("slug"))
        self.members = list(User.objects.filter(email__startswith="rm").order_by("email"))
        self.commune = CommuneFactory(insee_code="15001", name="Allanche")
        # The nightly run: every day has its row before anything happens.
        rollups_refresh(sites=self.sites, start=DAYS[0], end=DAYS[-1])

    @rule(
        s=st.integers(0, 1),
        m=st.integers(0, 2),
        d=st.integers(0, 2),
        p=st.sampled_from(["am", "pm", "day"]),
    )
    def book(self, s: int, m: int, d: int, p: str) -> None:
        with committed(), contextlib.suppress(BookingRefused, SlotTaken):
            booking_create_half_day(
                member=self.members[m], site=self.sites[s], day=DAYS[d], period=p, now=BEFORE
            )

    @rule(s=st.integers(0, 1), m=st.integers(0, 2), d=st.integers(0, 2), h=st.integers(8, 17))
    def check_in(self, s: int, m: int, d: int, h: int) -> None:
        with committed():
            visit_checkin(
                site=self.sites[s],
                member=self.members[m],
                arrived_at=at(DAYS[d], h),
                client_uuid=uuid.uuid4(),
                source="qr",
                now=at(DAYS[d], 18),
            )

    @rule(s=st.integers(0, 1), d=st.integers(0, 2), status=st.sampled_from(STATUSES))
    def walk_in(self, s: int, d: int, status: str) -> None:
        with committed():
            visit_walk_in(
                site=self.sites[s],
                visitor_status=status,
                home_commune=self.commune,
                arrived_at=at(DAYS[d], 10),
                client_uuid=uuid.uuid4(),
                by=None,
                now=at(DAYS[d], 18),
            )

    @rule(n=st.integers(0, 20))
    def release(self, n: int) -> None:
        active = list(Booking.objects.filter(status=BookingStatus.ACTIVE).order_by("pk"))
        if active:
            with committed():
                booking_release(
                    booking=active[n % len(active)], nobody_came=lambda b: True, now=LATER
                )

    @rule(n=st.integers(0, 20))
    def cancel(self, n: int) -> None:
        active = list(
            Booking.objects.filter(status=BookingStatus.ACTIVE)
            .select_related("member")
            .order_by("pk")
        )
        if active:
            booking = active[n % len(active)]
            with committed(), contextlib.suppress(BookingRefused, ValidationError):
                booking_cancel(booking=booking, by=booking.member, now=BEFORE)

    @rule(m=st.integers(0, 2), d=st.integers(0, 2), status=st.sampled_from(STATUSES))
    def correct_status(self, m: int, d: int, status: str) -> None:
        with committed():
            member_status_change(
                user=self.members[m], status=status, employer_name="Acme", valid_from=DAYS[d]
            )

    @invariant()
    def every_rollup_equals_its_raw_recount(self) -> None:
        for site in self.sites:
            for day in DAYS:
                row = SiteDay.objects.get(site=site, day=day)
                raw = day_figures(site=site, day=day)
                assert (
                    row.open_half_days,
                    row.occupied_am,
                    row.occupied_pm,
                    row.visits,
                    row.anonymous_visits,
                    row.booked_visits,
                    row.walk_ins,
                    row.visits_by_status,
                    row.bookings,
                    row.no_shows,
                    row.km_avoided,
                    row.co2_kg_avoided,
                ) == (
                    raw.open_half_days,
                    raw.occupied_am,
                    raw.occupied_pm,
                    raw.visits,
                    raw.anonymous_visits,
                    raw.booked_visits,
                    raw.walk_ins,
                    raw.visits_by_status,
                    raw.bookings,
                    raw.no_shows,
                    raw.km_avoided,
                    raw.co2_kg_avoided,
                )
                members = set(
                    SiteDayMember.objects.filter(site=site, day=day).values_list(
                        "member_id", flat=True
                    )
                )
                assert members == raw.members

    @invariant()
    def the_bulk_recount_equals_the_day_by_day_one(self) -> None:
        bulk = range_figures(sites=self.sites, start=DAYS[0], end=DAYS[-1])
        for site in self.sites:
            for day in DAYS:
                assert bulk[(site.pk, day)] == day_figures(site=site, day=day)

    @invariant()
    def the_summary_equals_the_raw_summary(self) -> None:
        sites = Site.objects.filter(pk__in=[s.pk for s in self.sites])
        assert summary_for(sites=sites, start=DAYS[0], end=DAYS[-1], now=LATER) == summary_raw(
            sites=sites, start=DAYS[0], end=DAYS[-1], now=LATER
        )


@pytest.fixture
def world(db: None) -> None:
    network = NetworkFactory(slug="cantal")
    for slug in ("allanche", "murat"):
        site = SiteFactory(network=network, slug=slug)
        open_all_week(site)
        ResourceFactory(site=site, name="Poste 1")
        ResourceFactory(site=site, name="Poste 2")
    for n in range(3):
        member = UserFactory(email=f"rm{n}@example.org")
        member_status_change(
            user=member, status=STATUSES[n], employer_name="Acme", valid_from=dt.date(2026, 1, 1)
        )


def test_rollups_equal_a_raw_recount_after_any_sequence(world):
    run_state_machine_as_test(
        RollupMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def test_a_closed_account_s_visits_become_anonymous_in_the_rollups(world):
    site = Site.objects.select_related("network").get(slug="murat")
    member = User.objects.get(email="rm0@example.org")
    rollups_refresh(sites=[site], start=DAYS[0], end=DAYS[-1])
    with committed():
        for day in DAYS[:2]:
            visit_checkin(
                site=site,
                member=member,
                arrived_at=at(day, 9),
                client_uuid=uuid.uuid4(),
                source="qr",
                now=at(day, 10),
            )
    sites = Site.objects.filter(pk=site.pk)
    before = summary_for(sites=sites, start=DAYS[0], end=DAYS[-1], now=LATER)
    assert (before.visits, before.unique_visitors) == (2, 1)
    with committed():
        member_close(user=member)
    # Two visits without a member: each counts as one visitor, as in the raw count.
    after = summary_for(sites=sites, start=DAYS[0], end=DAYS[-1], now=LATER)
    assert (after.visits, after.unique_visitors) == (2, 2)
    assert after == summary_raw(sites=sites, start=DAYS[0], end=DAYS[-1], now=LATER)


def test_the_command_recomputes_a_range_and_refuses_bad_ones(world):
    call_command("observatory_rollups", "--from", "2027-03-01", "--to", "2027-03-03")
    # 2 sites × 3 days; each day 2 desks × 2 half-days open.
    assert SiteDay.objects.count() == 6
    assert {r.open_half_days for r in SiteDay.objects.all()} == {4}
    assert SiteDay.objects.filter(visits__gt=0).count() == 0
    assert sum(r.km_avoided for r in SiteDay.objects.all()) == Decimal("0")
    with pytest.raises(CommandError):
        call_command("observatory_rollups", "--from", "2027-03-03", "--to", "2027-03-01")
    with pytest.raises(CommandError):
        call_command("observatory_rollups", "--from", "March", "--to", "2027-03-01")
    with pytest.raises(CommandError):
        call_command("observatory_rollups", "--site", "nowhere")


def test_the_database_queue_gets_the_rollup_task_in_the_booking_s_transaction(world, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    site = Site.objects.select_related("network").get(slug="murat")
    member = User.objects.get(email="rm0@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        booking_create_half_day(member=member, site=site, day=DAYS[0], period="am", now=BEFORE)
        raise RuntimeError("the caller's transaction fails after the booking")
    assert not DBTaskResult.objects.filter(task_path__startswith="buron.observatory.").exists()
    booking_create_half_day(member=member, site=site, day=DAYS[1], period="day", now=BEFORE)
    (queued,) = DBTaskResult.objects.filter(task_path__startswith="buron.observatory.")
    assert queued.args_kwargs["kwargs"] == {"site_id": site.pk, "day": DAYS[1].isoformat()}
