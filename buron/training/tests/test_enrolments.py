"""Enrolment by the learner or by a partner's adviser; the waiting list; refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from buron.accounts.models import User
from buron.accounts.tests.factories import UserFactory
from buron.training import selectors, services
from buron.training.errors import TrainingRefused
from buron.training.models import Enrolment, Funding

from .conftest import DEADLINE, NOW


def learners(n: int) -> list[User]:
    return [UserFactory(email=f"learner{i}@example.org") for i in range(n)]


def enrol(session, learner, **kwargs):
    kwargs.setdefault("now", NOW)
    return services.enrolment_create(session=session, learner=learner, by=learner, **kwargs)


def test_a_learner_enrols_and_gets_a_convocation(session, django_capture_on_commit_callbacks):
    learner = UserFactory(email="camille@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(session, learner)
    assert enrolment.status == "confirmed"
    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    body = mail.outbox[0].body
    assert "Télécentre de Murat" in body
    assert "Votre ordinateur portable." in body
    assert "09:00" in body and "17:00" in body
    assert "Référent handicap" in body


def test_a_full_session_puts_the_learner_on_the_waiting_list_in_order(session):
    people = learners(5)
    results = [enrol(session, p, now=NOW + dt.timedelta(minutes=i)) for i, p in enumerate(people)]
    assert [e.status for e in results] == ["confirmed"] * 3 + ["waiting"] * 2
    assert [selectors.waiting_rank(enrolment=e) for e in results] == [0, 0, 0, 1, 2]


def test_a_cancelled_place_goes_to_the_first_on_the_waiting_list(
    session, django_capture_on_commit_callbacks
):
    people = learners(5)
    results = [enrol(session, p, now=NOW + dt.timedelta(minutes=i)) for i, p in enumerate(people)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(enrolment=results[1], by=people[1], now=NOW)
    statuses = dict(Enrolment.objects.values_list("learner__email", "status"))
    assert statuses == {
        "learner0@example.org": "confirmed",
        "learner1@example.org": "cancelled",
        "learner2@example.org": "confirmed",
        "learner3@example.org": "confirmed",
        "learner4@example.org": "waiting",
    }
    assert [m.to for m in mail.outbox] == [["learner3@example.org"]]
    results[4].refresh_from_db()
    assert selectors.waiting_rank(enrolment=results[4]) == 1


def test_enrolment_after_the_deadline_is_refused(session):
    with pytest.raises(TrainingRefused) as refused:
        enrol(session, UserFactory(), now=DEADLINE)
    assert refused.value.error_dict["session"][0].code == "deadline_passed"
    assert not Enrolment.objects.exists()


def test_a_learner_enrols_once(session):
    learner = UserFactory()
    enrol(session, learner)
    with pytest.raises(TrainingRefused) as refused:
        enrol(session, learner)
    assert refused.value.code == "already_enrolled"


def test_a_learner_cannot_enrol_someone_else(session):
    learner, other = learners(2)
    with pytest.raises(TrainingRefused) as refused:
        services.enrolment_create(session=session, learner=other, by=learner, now=NOW)
    assert refused.value.code == "not_yourself"
    assert not Enrolment.objects.exists()


def test_a_cancelled_session_takes_no_enrolment(session, admin):
    services.session_cancel(session=session, by=admin, now=NOW)
    with pytest.raises(TrainingRefused) as refused:
        enrol(session, UserFactory())
    assert refused.value.code == "session_closed"


def test_an_adviser_enrols_a_job_seeker_with_their_identifier(
    session, adviser, france_travail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.enrolment_create_for_job_seeker(
            session=session,
            organisation=france_travail,
            by=adviser,
            email="Jean.Dupont@example.org",
            first_name="Jean",
            last_name="Dupont",
            france_travail_id="1234567a",
            funding=Funding.AIF,
            funder=france_travail,
            now=NOW,
        )
    assert enrolment.learner.email == "jean.dupont@example.org"
    assert enrolment.learner.status_periods.get().status == "job_seeker"
    assert enrolment.france_travail_id == "1234567A"
    assert enrolment.enrolled_by == adviser
    assert enrolment.organisation == france_travail
    assert [m.to for m in mail.outbox] == [["jean.dupont@example.org"]]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"france_travail_id": ""}, "france_travail_id", "france_travail_id_missing"),
        ({"france_travail_id": "12AB"}, "france_travail_id", "invalid_france_travail_id"),
        ({"funder": None}, "funder", "funder_missing"),
    ],
)
def test_an_adviser_gives_valid_details(session, adviser, france_travail, changes, field, code):
    details = {
        "france_travail_id": "1234567A",
        "funding": Funding.AIF,
        "funder": france_travail,
        **changes,
    }
    with pytest.raises(TrainingRefused) as refused:
        services.enrolment_create_for_job_seeker(
            session=session,
            organisation=france_travail,
            by=adviser,
            email="jean@example.org",
            first_name="Jean",
            last_name="Dupont",
            now=NOW,
            **details,
        )
    assert refused.value.error_dict[field][0].code == code
    assert not Enrolment.objects.exists()
    assert not User.objects.filter(email="jean@example.org").exists()


def test_someone_who_is_not_an_adviser_cannot_enrol_for_the_organisation(session, france_travail):
    impostor = UserFactory()
    with pytest.raises(TrainingRefused) as refused:
        services.enrolment_create_for_job_seeker(
            session=session,
            organisation=france_travail,
            by=impostor,
            email="jean@example.org",
            first_name="Jean",
            last_name="Dupont",
            france_travail_id="1234567A",
            funding=Funding.AIF,
            funder=france_travail,
            now=NOW,
        )
    assert refused.value.code == "not_adviser"


def test_an_adviser_sees_only_the_learners_their_organisation_enrolled(
    session, site, adviser, france_travail
):
    from buron.training.models import Adviser, OrganisationKind, PartnerOrganisation

    other_org = PartnerOrganisation.objects.create(
        network=site.network, name="Mission locale", kind=OrganisationKind.EMPLOYMENT_SERVICE
    )
    other_adviser = UserFactory()
    Adviser.objects.create(user=other_adviser, organisation=other_org)
    common = {"funding": Funding.AIF, "funder": france_travail, "now": NOW}
    mine = services.enrolment_create_for_job_seeker(
        session=session,
        organisation=france_travail,
        by=adviser,
        email="a@example.org",
        first_name="A",
        last_name="A",
        france_travail_id="1111111A",
        **common,
    )
    theirs = services.enrolment_create_for_job_seeker(
        session=session,
        organisation=other_org,
        by=other_adviser,
        email="b@example.org",
        first_name="B",
        last_name="B",
        france_travail_id="2222222B",
        **common,
    )
    enrol(session, UserFactory())
    assert list(selectors.adviser_enrolments(user=adviser)) == [mine]
    assert list(selectors.adviser_enrolments(user=other_adviser)) == [theirs]
    assert not services.can_follow(user=adviser, enrolment=theirs)
    assert services.can_follow(user=adviser, enrolment=mine)
    with pytest.raises(TrainingRefused):
        services.enrolment_cancel(enrolment=theirs, by=adviser, now=NOW)


def test_a_closed_account_frees_its_place_and_exports_its_trainings(session):
    from buron.accounts.services import member_close, member_data_export

    people = learners(4)
    results = [enrol(session, p, now=NOW + dt.timedelta(minutes=i)) for i, p in enumerate(people)]
    exported = member_data_export(user=people[0])["trainings"]
    assert [(t["programme"], t["status"]) for t in exported] == [
        ("Télétravailler : les bases", "confirmed")
    ]
    member_close(user=people[0])
    results[0].refresh_from_db()
    results[3].refresh_from_db()
    assert results[0].status == "cancelled"
    assert results[3].status == "confirmed"


def test_a_closed_account_forgets_its_france_travail_identifier(session, people):
    from buron.accounts.services import member_close

    _camille, jean = people
    member_close(user=jean.learner)
    jean.refresh_from_db()
    assert jean.france_travail_id == ""
    assert Enrolment.objects.get(pk=_camille.pk).learner.email == "camille@example.org"
