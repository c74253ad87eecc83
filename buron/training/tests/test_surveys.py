"""Satisfaction surveys: opened at the end (and a follow-up later), personal links that
answer once, reminders, refusals, results for the staff and the programme's public page."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client

from buron.accounts.tests.factories import UserFactory
from buron.training import selectors, services
from buron.training.errors import TrainingRefused
from buron.training.models import (
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyRating,
    SurveyResponse,
)
from buron.training.questionnaire import STANDARD_ITEMS
from buron.training.services.surveys import TOKEN_SALT

from .conftest import DAY, NOW, at
from .test_attendance import _full_day, pdf_text

END = at(DAY, 18)  # an hour after the session's last half-day
END_ITEMS = [code for code, _text in STANDARD_ITEMS["end"]]


def all_fives(**extra: object) -> dict[str, object]:
    return {**dict.fromkeys(END_ITEMS, 5), **extra}


@pytest.fixture
def held(people, session, trainer, django_capture_on_commit_callbacks):
    """The session held (Camille all day, Jean the morning), and its end survey opened."""
    _full_day(people, session, trainer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.surveys_due(now=END)
    assert run.opened == 1
    return session


def code_of(refused: TrainingRefused) -> str | None:
    """The refusal's code, on the form or on one field."""
    if hasattr(refused, "error_dict"):
        return next(e.code for errors in refused.error_dict.values() for e in errors)
    return refused.code


def invitation_of(enrolment, kind="end") -> SurveyInvitation:
    return SurveyInvitation.objects.get(enrolment=enrolment, survey__kind=kind)


def token_of(enrolment, kind="end") -> str:
    return services.survey_token(invitation=invitation_of(enrolment, kind))


def test_the_end_survey_opens_when_the_session_ends_and_each_learner_gets_a_link(
    people, session, trainer, django_capture_on_commit_callbacks
):
    a, _b = people
    _full_day(people, session, trainer)
    assert services.surveys_due(now=at(DAY, 16, 59)).opened == 0  # not over yet
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_due(now=END).opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["camille@example.org", "jean@example.org"]
    message = next(m for m in mail.outbox if m.to == ["camille@example.org"])
    link = re.search(r"http\S+/formations/avis/(\S+)/", message.body)
    assert link is not None
    assert services.survey_invitation_for_token(token=link.group(1), now=END).enrolment == a
    assert message.alternatives  # an HTML part too
    # Running again opens nothing more and sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_due(now=END + dt.timedelta(hours=1)).opened == 0
    assert mail.outbox == []
    assert Survey.objects.filter(session=session).count() == 1


def test_a_learner_who_attended_nothing_is_not_invited(
    people, session, trainer, django_capture_on_commit_callbacks
):
    absent = UserFactory(email="absent@example.org", first_name="Paul", last_name="Absent")
    enrolment = services.enrolment_create(session=session, learner=absent, by=absent, now=NOW)
    for half_day in session.half_days.all():
        services.line_mark_absent(
            half_day=half_day,
            enrolment=enrolment,
            by=trainer,
            reason="Malade",
            now=half_day.starts_at + dt.timedelta(minutes=5),
        )
    _full_day(people, session, trainer)
    with django_capture_on_commit_callbacks(execute=True):
        services.surveys_due(now=END)
    invited = set(SurveyInvitation.objects.values_list("enrolment__learner__email", flat=True))
    assert invited == {"camille@example.org", "jean@example.org"}


def test_an_answer_is_recorded_once_and_kept_apart_from_the_learner(held, people):
    a, _b = people
    token = token_of(a)
    response = services.survey_answer(
        token=token, ratings=all_fives(overall=4), comment=" Très utile. ", now=END
    )
    assert response.comment == "Très utile."
    assert dict(SurveyRating.objects.filter(response=response).values_list("item", "rating")) == {
        **dict.fromkeys(END_ITEMS, 5),
        "overall": 4,
    }
    assert invitation_of(a).answered_at == END
    # Answering twice is refused and writes nothing.
    with pytest.raises(TrainingRefused) as refused:
        services.survey_answer(token=token, ratings=all_fives(), now=END)
    assert code_of(refused.value) == "answered"
    assert SurveyResponse.objects.count() == 1
    # The response names no learner.
    assert {f.name for f in SurveyResponse._meta.concrete_fields} == {
        "id",
        "survey",
        "submitted_on",
        "comment",
    }


BAD_TOKENS = {
    "garbage": lambda: "not-a-token",
    # Signed, but no such invitation.
    "unknown": lambda: signing.dumps({"i": 1, "n": "x"}, salt=TOKEN_SALT),
    "other-salt": lambda: signing.dumps({"i": 1, "n": "x"}, salt="another.salt"),
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_an_invalid_token_is_refused(held, kind):
    bad = BAD_TOKENS[kind]()
    with pytest.raises(TrainingRefused) as refused:
        services.survey_answer(token=bad, ratings=all_fives(), now=END)
    assert code_of(refused.value) == "invalid_token"
    assert SurveyResponse.objects.count() == 0


def test_a_tampered_token_is_refused(held, people):
    a, b = people
    token = token_of(a)
    signature = token.rpartition(":")[2]
    jeans_payload = token_of(b).rpartition(":")[0]
    # Signed with the key, but Jean's invitation with Camille's nonce.
    mixed = signing.dumps({"i": invitation_of(b).pk, "n": invitation_of(a).nonce}, salt=TOKEN_SALT)
    for bad in (token[:-2] + "xx", f"{jeans_payload}:{signature}", mixed):
        with pytest.raises(TrainingRefused) as refused:
            services.survey_answer(token=bad, ratings=all_fives(), now=END)
        assert code_of(refused.value) == "invalid_token"
    assert SurveyResponse.objects.count() == 0


def test_a_closed_survey_refuses_its_links(held, people):
    a, _b = people
    later = Survey.objects.get().closes_at + dt.timedelta(seconds=1)
    with pytest.raises(TrainingRefused) as refused:
        services.survey_answer(token=token_of(a), ratings=all_fives(), now=later)
    assert code_of(refused.value) == "closed"
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("ratings", "code"),
    [
        (all_fives(overall=0), "rating_out_of_range"),
        (all_fives(overall=6), "rating_out_of_range"),
        (all_fives(overall=True), "missing_rating"),
        (all_fives(overall="5"), "missing_rating"),
        (dict.fromkeys(END_ITEMS[:-1], 4), "missing_rating"),
        (all_fives(invented=3), "unknown_question"),
    ],
)
def test_bad_ratings_are_refused_and_nothing_is_written(held, people, ratings, code):
    a, _b = people
    with pytest.raises(TrainingRefused) as refused:
        services.survey_answer(token=token_of(a), ratings=ratings, now=END)
    assert code_of(refused.value) == code
    assert SurveyResponse.objects.count() == 0
    assert invitation_of(a).answered_at is None


def test_another_learner_s_link_is_refused_to_a_signed_in_learner(held, people):
    a, b = people
    with pytest.raises(TrainingRefused) as refused:
        services.survey_answer(token=token_of(a), ratings=all_fives(), user=b.learner, now=END)
    assert code_of(refused.value) == "not_yours"
    assert invitation_of(a).answered_at is None
    # Their own link works.
    services.survey_answer(token=token_of(b), ratings=all_fives(), user=b.learner, now=END)


def test_the_survey_page_answers_once_without_login_and_refuses_others(
    held, people, client: Client
):
    a, b = people
    url = f"/en/formations/avis/{token_of(a)}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<legend>The trainer&#x27;s teaching</legend>" in html or "teaching" in html
    assert html.count('type="radio"') == 5 * len(END_ITEMS)
    # Out of range through the form: refused, the page says why, nothing written.
    bad = client.post(url, {**all_fives(overall=9), "comment": ""})
    assert bad.status_code == 422
    assert "A rating goes from 1 to 5." in bad.content.decode()
    assert SurveyResponse.objects.count() == 0
    done = client.post(url, {**all_fives(), "comment": "Bien"}, follow=True)
    assert "your answers are recorded" in done.content.decode()
    again = client.get(url)
    assert again.status_code == 410
    assert "already answered" in again.content.decode()
    assert client.get("/en/formations/avis/forged:token/").status_code == 404
    # Signed in as Jean, Camille's link is not his.
    client.force_login(b.learner)
    url_a = f"/en/formations/avis/{token_of(b)}/"
    client.force_login(a.learner)
    refused = client.post(url_a, all_fives())
    assert refused.status_code == 422
    assert "sent to another learner" in refused.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_my_trainings_links_to_the_survey_until_it_is_answered(held, people, client: Client):
    a, _b = people
    client.force_login(a.learner)
    page = client.get("/en/formations/mes-formations/").content.decode()
    link = re.search(r'href="/en/formations/avis/([^/"]+)/"', page)
    assert link is not None  # a token signs its time too: compare what it names
    assert services.survey_invitation_for_token(token=link.group(1), now=END).enrolment == a
    services.survey_answer(token=token_of(a), ratings=all_fives(), now=END)
    assert "/formations/avis/" not in client.get("/en/formations/mes-formations/").content.decode()


def test_reminders_go_weekly_twice_at_most_to_who_has_not_answered(
    held, people, django_capture_on_commit_callbacks
):
    a, _b = people
    services.survey_answer(token=token_of(a), ratings=all_fives(), now=END)

    def run(days: float) -> list[list[str]]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.surveys_due(now=END + dt.timedelta(days=days))
        return [m.to for m in mail.outbox]

    assert run(6) == []
    assert run(7) == [["jean@example.org"]]
    assert "Reminder" in mail.outbox[0].subject or "Rappel" in mail.outbox[0].subject
    assert run(8) == []
    assert run(14) == [["jean@example.org"]]
    assert run(21) == []  # twice at most
    assert invitation_of(people[1]).reminders == 2


def test_no_reminder_once_the_survey_closed(held, people, django_capture_on_commit_callbacks):
    Survey.objects.update(closes_at=END + dt.timedelta(days=5))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.surveys_due(now=END + dt.timedelta(days=7))
    assert mail.outbox == []


def test_the_follow_up_survey_comes_the_months_the_programme_says(
    people, session, trainer, programme, django_capture_on_commit_callbacks
):
    a, _b = people
    _full_day(people, session, trainer)
    programme.follow_up_months = 2
    programme.save()
    SurveyQuestion.objects.create(programme=programme, kind="follow_up", text="Un emploi ?")
    services.surveys_due(now=END)
    assert services.surveys_due(now=END + dt.timedelta(days=50)).opened == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_due(now=at(dt.date(2027, 5, 2), 18)).opened == 1
    assert len(mail.outbox) == 2
    token = token_of(a, "follow_up")
    extra = f"q{SurveyQuestion.objects.get().pk}"
    codes = [code for code, _t in STANDARD_ITEMS["follow_up"]]
    with pytest.raises(TrainingRefused):  # the end survey's items are not this one's
        services.survey_answer(token=token, ratings=all_fives(), now=END)
    services.survey_answer(
        token=token, ratings={**dict.fromkeys(codes, 3), extra: 2}, now=at(dt.date(2027, 5, 3), 9)
    )
    results = selectors.session_survey_results(session=session)
    follow_up = next(r for r in results if r.kind == "follow_up")
    assert follow_up.answered == 1 and follow_up.invited == 2 and follow_up.response_rate == 50
    assert [(i.code, i.average) for i in follow_up.items][-1] == (extra, 2)


def test_no_follow_up_when_the_programme_asks_none(people, session, trainer, programme):
    _full_day(people, session, trainer)
    programme.follow_up_months = 0
    programme.save()
    services.surveys_due(now=END)
    services.surveys_due(now=END + dt.timedelta(days=95))
    assert list(Survey.objects.values_list("kind", flat=True)) == ["end"]


@pytest.fixture
def three_answered(session, trainer, django_capture_on_commit_callbacks):
    """A session of three learners who all attended the morning; returns their tokens."""
    from .test_attendance import countersign, sign

    learners = [
        UserFactory(email=f"l{n}@example.org", first_name=f"L{n}", last_name="Learner")
        for n in range(3)
    ]
    enrolments = [
        services.enrolment_create(session=session, learner=u, by=u, now=NOW) for u in learners
    ]
    morning = session.half_days.get(period="am")
    afternoon = session.half_days.get(period="pm")
    for n, enrolment in enumerate(enrolments):
        sign(morning, enrolment, at(DAY, 9, n))
        services.line_mark_absent(
            half_day=afternoon, enrolment=enrolment, by=trainer, reason="Parti", now=at(DAY, 14)
        )
    countersign(morning, trainer)
    countersign(afternoon, trainer, at(DAY, 17, 5))
    services.surveys_due(now=END)
    return [token_of(e) for e in enrolments]


def test_the_programme_page_shows_satisfaction_from_three_answers(
    three_answered, programme, client: Client
):
    url = f"/en/formations/{programme.slug}/"
    services.survey_answer(token=three_answered[0], ratings=all_fives(overall=5), now=END)
    services.survey_answer(token=three_answered[1], ratings=all_fives(overall=4), now=END)
    traveller = time_machine.travel(END + dt.timedelta(days=1), tick=False)
    traveller.start()
    page = client.get(url).content.decode()
    assert "Satisfaction" not in page  # two answers: not shown
    assert "completion rate: 0 %" in page  # three learners, none with 80 % of the hours
    services.survey_answer(
        token=three_answered[2], ratings=all_fives(overall=4), comment="Secret", now=END
    )
    page = client.get(url).content.decode()
    traveller.stop()
    assert "Satisfaction: 4.3 out of 5 (3 learners answered" in page
    assert "Secret" not in page  # comments are for the staff only


def test_results_are_shown_to_the_staff_with_comments_and_to_no_one_else(
    three_answered, session, programme, admin, trainer, client: Client
):
    services.survey_answer(
        token=three_answered[0], ratings=all_fives(trainer=2), comment="Trop rapide", now=END
    )
    services.survey_answer(token=three_answered[1], ratings=all_fives(trainer=3), now=END)
    (results,) = selectors.session_survey_results(session=session)
    assert (results.invited, results.answered, results.response_rate) == (3, 2, 67)
    averages = {i.code: i.average for i in results.items}
    assert str(averages["trainer"]) == "2.5" and str(averages["overall"]) == "5.0"
    assert results.comments == ["Trop rapide"]
    for url in (
        f"/en/formations/animation/sessions/{session.pk}/avis/",
        f"/en/formations/animation/programmes/{programme.pk}/avis/",
    ):
        client.force_login(admin)
        page = client.get(url)
        assert page.status_code == 200
        assert "Trop rapide" in page.content.decode()
        assert "response rate 67 %" in page.content.decode()
        client.force_login(trainer)  # a trainer is not the site's staff
        assert client.get(url).status_code == 404
        client.logout()
        assert client.get(url).status_code == 302


def test_the_evidence_pack_holds_the_survey_results(three_answered, session, admin, client):
    services.survey_answer(
        token=three_answered[0], ratings=all_fives(content=3), comment="Salle froide", now=END
    )
    client.force_login(admin)
    response = client.get(f"/formations/animation/sessions/{session.pk}/qualiopi.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = pdf_text(archive.read("survey-results.pdf"))
    assert "Salle froide" in text
    assert "33" in text  # response rate, 1 of 3
    assert "3.0" in text or "3,0" in text


@pytest.mark.django_db(transaction=True)
def test_the_same_link_sent_twice_at_once_records_one_answer(people, session, trainer):
    from buron.core.testing.race import race

    a, _b = people
    _full_day(people, session, trainer)
    services.surveys_due(now=END)
    token = token_of(a)

    def answer():
        return services.survey_answer(token=token, ratings=all_fives(), now=END).pk

    wins, failures = race([answer, answer, answer])
    assert len(wins) == 1
    assert [code_of(f) for f in failures] == ["answered", "answered"]
    assert SurveyResponse.objects.count() == 1
    assert SurveyRating.objects.count() == len(END_ITEMS)
