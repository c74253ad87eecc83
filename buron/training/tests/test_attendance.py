"""Attendance sheets: signatures, absences, countersigning, corrections, hours; the PDFs."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from buron.accounts.tests.factories import UserFactory
from buron.training import documents, selectors, services
from buron.training.errors import TrainingRefused
from buron.training.models import AttendanceLine, Correction

from .conftest import DAY, at


def png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), "white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


@pytest.fixture
def morning(session):
    return session.half_days.get(period="am")


def sign(half_day, enrolment, when, **kwargs):
    kwargs.setdefault("means", "drawn")
    kwargs.setdefault("image", png())
    return services.line_sign(
        half_day=half_day, enrolment=enrolment, by=enrolment.learner, now=when, **kwargs
    )


def test_a_learner_signs_a_started_half_day(people, morning):
    a, _b = people
    line = sign(morning, a, at(DAY, 9, 5))
    assert line.presence == "present"
    assert line.signed_at == at(DAY, 9, 5)
    assert line.signature_means == "drawn"
    assert line.signature_image.startswith("data:image/png;base64,")


def test_signing_a_half_day_not_started_is_refused(people, morning):
    a, _b = people
    with pytest.raises(TrainingRefused) as refused:
        sign(morning, a, at(DAY, 8, 59))
    assert refused.value.code == "not_started"
    assert not AttendanceLine.objects.exists()


def test_signing_for_another_learner_is_refused(people, morning):
    a, b = people
    with pytest.raises(TrainingRefused) as refused:
        services.line_sign(
            half_day=morning,
            enrolment=b,
            by=a.learner,
            means="drawn",
            image=png(),
            now=at(DAY, 9, 5),
        )
    assert refused.value.code == "not_yourself"
    assert not AttendanceLine.objects.exists()


def test_the_sign_page_never_reaches_another_learners_enrolment(client: Client, people, morning):
    import time_machine

    a, _b = people
    outsider = UserFactory()
    with time_machine.travel(at(DAY, 9, 5), tick=False):
        client.force_login(outsider)
        response = client.post(
            f"/formations/emargement/{morning.pk}/", {"action": "draw", "draw-signature": png()}
        )
        assert response.status_code == 404
        client.force_login(a.learner)
        response = client.post(
            f"/formations/emargement/{morning.pk}/", {"action": "draw", "draw-signature": png()}
        )
        assert response.status_code == 302
    assert [line.enrolment for line in AttendanceLine.objects.all()] == [a]


def test_a_signature_cannot_be_replaced(people, morning):
    a, _b = people
    first = sign(morning, a, at(DAY, 9, 5))
    with pytest.raises(TrainingRefused) as refused:
        sign(morning, a, at(DAY, 9, 30))
    assert refused.value.code == "already_signed"
    assert AttendanceLine.objects.get() == first
    assert AttendanceLine.objects.get().signed_at == at(DAY, 9, 5)


def test_a_drawing_must_be_a_png(people, morning):
    a, _b = people
    for image in ("", "data:image/png;base64,notbase64!", "data:image/png;base64,aGVsbG8="):
        with pytest.raises(TrainingRefused):
            sign(morning, a, at(DAY, 9, 5), image=image)
    assert not AttendanceLine.objects.exists()


def test_a_learner_signs_with_a_code_sent_by_email(
    people, morning, django_capture_on_commit_callbacks
):
    a, _b = people
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.signing_code_send(half_day=morning, enrolment=a, by=a.learner, now=at(DAY, 9, 1))
    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(TrainingRefused):
        sign(morning, a, at(DAY, 9, 2), means="code", code=wrong)
    line = sign(morning, a, at(DAY, 9, 3), means="code", code=code)
    assert line.signature_means == "code"
    # A code serves once.
    AttendanceLine.objects.all().delete()
    with pytest.raises(TrainingRefused):
        sign(morning, a, at(DAY, 9, 4), means="code", code=code)


def test_an_expired_code_is_refused(people, morning):
    a, _b = people
    services.signing_code_send(half_day=morning, enrolment=a, by=a.learner, now=at(DAY, 9, 1))
    from buron.training.models import OneTimeCode

    assert OneTimeCode.objects.count() == 1
    with pytest.raises(TrainingRefused):
        sign(morning, a, at(DAY, 9, 30), means="code", code="123456")


def countersign(morning, trainer, when=None):
    return services.sheet_countersign(
        half_day=morning, by=trainer, image=png(), now=when or at(DAY, 12, 35)
    )


def test_the_trainer_countersigns_once_everyone_is_accounted_for(people, morning, trainer):
    a, b = people
    sign(morning, a, at(DAY, 9, 5))
    with pytest.raises(TrainingRefused) as refused:
        countersign(morning, trainer)
    assert refused.value.code == "learners_missing"
    services.line_mark_absent(
        half_day=morning, enrolment=b, by=trainer, reason="Malade", now=at(DAY, 9, 30)
    )
    sheet = countersign(morning, trainer)
    assert sheet.is_final and sheet.countersigned_by == trainer


def test_only_the_trainer_countersigns(people, morning, trainer, admin):
    a, b = people
    sign(morning, a, at(DAY, 9, 5))
    sign(morning, b, at(DAY, 9, 6))
    for someone in (admin, a.learner):
        with pytest.raises(TrainingRefused):
            countersign(morning, someone)


def test_a_countersigned_sheet_is_final_and_corrections_are_recorded_beside_it(
    people, morning, trainer
):
    a, b = people
    line_a = sign(morning, a, at(DAY, 9, 5))
    services.line_mark_absent(
        half_day=morning, enrolment=b, by=trainer, reason="", now=at(DAY, 9, 30)
    )
    countersign(morning, trainer)
    with pytest.raises(TrainingRefused):
        services.line_note_times(line=line_a, by=trainer, left_at=at(DAY, 11))
    with pytest.raises(TrainingRefused):
        services.line_mark_absent(
            half_day=morning, enrolment=a, by=trainer, reason="x", now=at(DAY, 12, 40)
        )
    with pytest.raises(TrainingRefused):
        countersign(morning, trainer)
    # Jean did come, late: recorded beside the line, which stays as it was.
    line_b = AttendanceLine.objects.get(enrolment=b)
    with pytest.raises(TrainingRefused) as refused:
        services.line_correct(line=line_b, by=trainer, reason="  ", presence="present")
    assert refused.value.error_dict["reason"][0].code == "reason_missing"
    correction = services.line_correct(
        line=line_b,
        by=trainer,
        reason="Arrivé en retard, oubli de signature",
        presence="present",
        arrived_at=at(DAY, 10, 30),
        now=at(DAY, 13),
    )
    assert correction.by == trainer and correction.at == at(DAY, 13)
    line_b.refresh_from_db()
    assert line_b.presence == "absent"
    assert Correction.objects.count() == 1
    assert selectors.hours_attended(enrolment=b) == 2  # 10:30 to 12:30
    assert selectors.hours_attended(enrolment=a) == 3.5


def test_someone_else_cannot_correct(people, morning):
    a, _b = people
    line = sign(morning, a, at(DAY, 9, 5))
    with pytest.raises(TrainingRefused):
        services.line_correct(line=line, by=a.learner, reason="je veux", presence="present")


def test_late_arrival_and_early_departure_count_in_the_hours(people, morning, trainer):
    a, _b = people
    line = sign(morning, a, at(DAY, 9, 20))
    services.line_note_times(line=line, by=trainer, arrived_at=at(DAY, 9, 30), left_at=at(DAY, 12))
    with pytest.raises(TrainingRefused):
        services.line_note_times(line=line, by=trainer, left_at=at(DAY, 11))
    with pytest.raises(TrainingRefused):
        services.line_note_times(line=line, by=trainer, arrived_at=at(DAY, 13))
    assert selectors.hours_attended(enrolment=a) == dt.timedelta(
        hours=2, minutes=30
    ) / dt.timedelta(hours=1)


def _full_day(people, session, trainer):
    a, b = people
    morning = session.half_days.get(period="am")
    afternoon = session.half_days.get(period="pm")
    sign(morning, a, at(DAY, 9, 2))
    sign(morning, b, at(DAY, 9, 3))
    sign(afternoon, a, at(DAY, 13, 32))
    services.line_mark_absent(
        half_day=afternoon, enrolment=b, by=trainer, reason="Rendez-vous médical", now=at(DAY, 14)
    )
    countersign(morning, trainer)
    countersign(afternoon, trainer, at(DAY, 17, 5))
    return morning, afternoon


def test_the_sheet_pdf_carries_names_signatures_and_hours(people, session, trainer):
    _morning, afternoon = _full_day(people, session, trainer)
    text = pdf_text(documents.sheet_pdf(half_day=afternoon))
    assert "DURAND Camille" in text
    assert "DUPONT Jean" in text
    assert "Rendez-vous médical" in text
    assert "02/03/2027 13:32" in text
    assert "3.50" in text or "3,50" in text
    assert "Théo Formateur" in text
    assert "84150000015" in text


def test_the_certificate_counts_the_hours_from_the_sheets(people, session, trainer, client):
    a, b = people
    _full_day(people, session, trainer)
    text = pdf_text(documents.certificate_pdf(enrolment=b))
    assert "Jean DUPONT" in text
    assert "Télétravailler : les bases" in text
    assert "3.50" in text or "3,50" in text
    assert "7.00" in text or "7,00" in text
    assert "02/03/2027" in text
    assert "1234567A" in text
    text_a = pdf_text(documents.certificate_pdf(enrolment=a))
    assert "7.00" in text_a or "7,00" in text_a


def test_the_certificate_downloads_for_its_learner_and_adviser_only(
    people, session, trainer, adviser, client: Client
):
    a, b = people
    client.force_login(b.learner)
    response = client.get(f"/formations/inscriptions/{b.pk}/certificat/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(adviser)
    assert client.get(f"/formations/inscriptions/{b.pk}/certificat/").status_code == 200
    assert client.get(f"/formations/inscriptions/{a.pk}/certificat/").status_code == 404
    client.force_login(a.learner)
    assert client.get(f"/formations/inscriptions/{b.pk}/certificat/").status_code == 404


def test_the_monthly_statement_lists_the_funders_learners(
    people, session, trainer, france_travail, adviser, client: Client
):
    _full_day(people, session, trainer)
    text = pdf_text(documents.statement_pdf(funder=france_travail, year=2027, month=3))
    assert "DUPONT Jean" in text
    assert "Camille" not in text
    assert "1234567A" in text
    assert "3.50" in text or "3,50" in text
    assert "175.00" in text or "175,00" in text  # 350 € for 7 h, 3.5 h attended
    empty = pdf_text(documents.statement_pdf(funder=france_travail, year=2027, month=4))
    assert "DUPONT" not in empty
    client.force_login(adviser)
    response = client.get(f"/formations/financeurs/{france_travail.pk}/etat/?month=2027-03")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        client.get(f"/formations/financeurs/{france_travail.pk}/etat/?month=x").status_code == 422
    )
    client.force_login(people[0].learner)
    assert (
        client.get(f"/formations/financeurs/{france_travail.pk}/etat/?month=2027-03").status_code
        == 404
    )


def test_the_trainer_keeps_the_sheet_on_its_page(people, session, trainer, client: Client):
    import time_machine

    a, b = people
    morning = session.half_days.get(period="am")
    with time_machine.travel(at(DAY, 9, 10), tick=False):
        sign(morning, a, at(DAY, 9, 5))
        client.force_login(trainer)
        page = client.get(f"/formations/animation/feuilles/{morning.pk}/")
        assert page.status_code == 200
        response = client.post(
            f"/formations/animation/feuilles/{morning.pk}/",
            {"action": "absent", "enrolment": b.pk, "reason": "Malade"},
        )
        assert response.status_code == 302
        response = client.post(
            f"/formations/animation/feuilles/{morning.pk}/",
            {"action": "countersign", "signature": png()},
        )
        assert response.status_code == 302
        response = client.post(
            f"/formations/animation/feuilles/{morning.pk}/",
            {"action": "countersign", "signature": png()},
        )
        assert response.status_code == 422
        client.force_login(a.learner)
        assert client.get(f"/formations/animation/feuilles/{morning.pk}/").status_code == 404


def test_the_quality_evidence_pack_holds_programme_convocations_sheets_and_certificates(
    people, session, trainer, admin, client: Client
):
    import zipfile

    a, b = people
    _full_day(people, session, trainer)
    client.force_login(trainer)
    assert (
        client.get(f"/formations/animation/sessions/{session.pk}/qualiopi.zip").status_code == 404
    )
    client.force_login(admin)
    response = client.get(f"/formations/animation/sessions/{session.pk}/qualiopi.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == sorted(
        [
            "programme.pdf",
            "survey-results.pdf",
            f"convocations/dupont-jean-{b.pk}.txt",
            f"convocations/durand-camille-{a.pk}.txt",
            f"certificates/dupont-jean-{b.pk}.pdf",
            f"certificates/durand-camille-{a.pk}.pdf",
            "sheets/2027-03-02-am.pdf",
            "sheets/2027-03-02-pm.pdf",
        ]
    )
    assert "Quiz final." in pdf_text(archive.read("programme.pdf"))
    assert "Jean DUPONT" in pdf_text(archive.read(f"certificates/dupont-jean-{b.pk}.pdf"))
    assert "Rendez-vous médical" in pdf_text(archive.read("sheets/2027-03-02-pm.pdf"))
    assert "Télécentre de Murat" in archive.read(f"convocations/durand-camille-{a.pk}.txt").decode()
