"""Demo trainings: two telework programmes with a session already held (signed sheets,
certificates, its end-of-training survey answered, France Travail invoiced for its
learners) and sessions to come at demo sites, an invented France Travail agency with an
adviser account, a trainer and a few learners. Every name here is invented."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone
from PIL import Image, ImageDraw

from buron.accounts.models import Organisation, User
from buron.accounts.services import member_create
from buron.places.models import Network, Resource, Site
from buron.training import services
from buron.training.models import (
    Adviser,
    Funding,
    Module,
    OrganisationKind,
    PartnerOrganisation,
    Programme,
    Session,
    SurveyKind,
)
from buron.training.questionnaire import STANDARD_ITEMS

from . import network as demo

ADVISER_EMAIL = "conseiller-france-travail@buron.example"
TRAINER_EMAIL = "formateur@buron.example"
LEARNER_EMAILS = (
    ("apprenant1@buron.example", "Lucie", "Vidal", "1000001A"),
    ("apprenant2@buron.example", "Mathis", "Roux", "1000002B"),
    ("apprenant3@buron.example", "Inès", "Bouchet", "1000003C"),
)

PROGRAMMES: tuple[dict[str, Any], ...] = (
    {
        "slug": "teletravailler-efficacement",
        "title": "Télétravailler efficacement (démo)",
        "objectives": "Organiser ses journées à distance, garder le lien avec son équipe, "
        "séparer vie professionnelle et vie personnelle.",
        "prerequisites": "Savoir utiliser un ordinateur et une messagerie.",
        "audience": "Demandeurs d'emploi et salariés qui veulent travailler à distance.",
        "duration_hours": Decimal("7"),
        "teaching_methods": "Ateliers en petit groupe, mises en situation au télécentre.",
        "assessment_methods": "Quiz en fin de journée, plan d'organisation personnel.",
        "trainers": "Formateur de démonstration, consultant en organisation du travail.",
        "price": Decimal("280.00"),
        "modules": (
            ("Organiser sa journée à distance", Decimal("3.5")),
            ("Communiquer avec son équipe", Decimal("3.5")),
        ),
    },
    {
        "slug": "outils-collaboratifs",
        "title": "Les outils collaboratifs du télétravail (démo)",
        "objectives": "Utiliser la visioconférence, les documents partagés et la messagerie "
        "d'équipe en toute sécurité.",
        "prerequisites": "Aucun.",
        "audience": "Toute personne qui débute en télétravail.",
        "duration_hours": Decimal("7"),
        "teaching_methods": "Démonstrations et exercices sur poste.",
        "assessment_methods": "Exercice pratique évalué par le formateur.",
        "trainers": "Formateur de démonstration.",
        "price": Decimal("250.00"),
        "modules": (
            ("Visioconférence", Decimal("3.5")),
            ("Documents partagés et sécurité", Decimal("3.5")),
        ),
    },
)


def _signature(text: str) -> str:
    """A drawn signature for the demo sheets (a line of text on white)."""
    image = Image.new("RGB", (240, 60), "white")
    ImageDraw.Draw(image).text((10, 20), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _account(email: str, first_name: str, last_name: str, status: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = member_create(
            email=email,
            password=demo.DEMO_PASSWORD,
            status=status,
            first_name=first_name,
            last_name=last_name,
            verified=True,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _tuesday(start: dt.date, weeks: int) -> dt.date:
    day = start + dt.timedelta(weeks=weeks)
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


# France Travail as invoiced (an invented agency; its SIREN only passes its check digit).
AGENCY_BILLING = {
    "legal_name": "France Travail — agence de démonstration (inventée)",
    "siren": "130000003",
    "address_lines": "1 rue de la Démonstration",
    "postcode": "15000",
    "city": "Aurillac",
    "country": "FR",
    "is_public_body": True,
}
# Each learner's end-of-training answers: ratings of the standard items in their order
# (objectives, content, trainer, organisation, information, overall) and a comment.
ANSWERS = (
    ((5, 4, 5, 4, 4, 5), "Très concret, j'ai déjà réorganisé mes journées."),
    ((4, 4, 5, 3, 4, 4), "La salle était un peu petite pour les ateliers."),
    ((4, 5, 4, 4, 3, 4), ""),
)


def _survey_and_invoice(past: Session, agency: PartnerOrganisation, admin: User) -> None:
    """The past session's end survey, answered by its three learners, and the invoice of
    France Travail for their hours (its PDF is rendered on first download)."""
    end = past.half_days.order_by("-ends_at")[0].ends_at
    survey = services.survey_open(
        session=past, kind=SurveyKind.END, now=end + dt.timedelta(hours=1)
    )
    if survey is None:
        return
    codes = [code for code, _text in STANDARD_ITEMS[SurveyKind.END]]
    invitations = survey.invitations.order_by("pk")
    for invitation, (ratings, comment) in zip(invitations, ANSWERS, strict=False):
        services.survey_answer(
            token=services.survey_token(invitation=invitation),
            ratings=dict(zip(codes, ratings, strict=True)),
            comment=comment,
            now=end + dt.timedelta(days=1),
        )
    organisation, _created = Organisation.objects.get_or_create(
        network=past.network, siren=AGENCY_BILLING["siren"], defaults=AGENCY_BILLING
    )
    agency.billing_organisation = organisation
    agency.save(update_fields=["billing_organisation"])
    services.funder_invoice_issue(
        session=past, funder=agency, by=admin, now=end + dt.timedelta(days=2), render=False
    )


def demo_trainings_load(*, network: Network, admin: User) -> None:
    """Load the demo trainings once (a later load leaves them as they are)."""
    if Programme.objects.filter(slug=PROGRAMMES[0]["slug"]).exists():
        return
    body = PartnerOrganisation.objects.create(
        network=network,
        name="Organisme de formation du Cantal (démo)",
        kind=OrganisationKind.TRAINING_BODY,
        declaration_number="84150000000",
    )
    agency = PartnerOrganisation.objects.create(
        network=network,
        name="France Travail — agence de démonstration",
        kind=OrganisationKind.EMPLOYMENT_SERVICE,
    )
    adviser = _account(ADVISER_EMAIL, "Conseillère", "France Travail (démo)", "other")
    Adviser.objects.get_or_create(user=adviser, organisation=agency)
    trainer = _account(TRAINER_EMAIL, "Formateur", "Démo", "freelancer")
    programmes = []
    for spec in PROGRAMMES:
        fields = {k: v for k, v in spec.items() if k != "modules"}
        programme = Programme.objects.create(
            network=network,
            is_published=True,
            training_body=body,
            accessibility="Salles de plain-pied ; supports adaptés sur demande.",
            accessibility_contact="Référent handicap (démo) : formations@buron.example",
            **fields,
        )
        programme.funders.set([agency])
        for position, (title, hours) in enumerate(spec["modules"], start=1):
            Module.objects.create(programme=programme, position=position, title=title, hours=hours)
        programmes.append(programme)

    tz = zoneinfo.ZoneInfo(network.time_zone)
    today = timezone.localdate(timezone=tz)
    aurillac = Site.objects.get(slug="aurillac")
    saint_flour = Site.objects.get(slug="saint-flour")

    def room(site: Site) -> Resource:
        found = Resource.objects.filter(site=site, kind__in=["meeting_room", "visio_room"])
        return found.order_by("-capacity", "pk")[0]

    def schedule(programme: Programme, site: Site, day: dt.date, now: dt.datetime) -> Session:
        return services.session_schedule(
            programme=programme,
            room=room(site),
            half_days=[
                services.HalfDaySpec(day, "am", dt.time(9), dt.time(12, 30)),
                services.HalfDaySpec(day, "pm", dt.time(13, 30), dt.time(17)),
            ],
            capacity=6,
            minimum=2,
            registration_deadline=dt.datetime.combine(
                day - dt.timedelta(days=3), dt.time(18), tzinfo=tz
            ),
            trainer=trainer,
            by=admin,
            what_to_bring="Un ordinateur portable si vous en avez un ; sinon un poste est prêté.",
            now=now,
        )

    # A session held a month ago: every learner enrolled through the agency, sheets signed
    # and countersigned.
    past_day = _tuesday(today - dt.timedelta(weeks=6), 0)
    past_now = dt.datetime.combine(past_day - dt.timedelta(days=14), dt.time(9), tzinfo=tz)
    past = schedule(programmes[0], aurillac, past_day, past_now)
    learners = []
    for email, first_name, last_name, ft_id in LEARNER_EMAILS:
        learner = _account(email, first_name, last_name, "job_seeker")
        learners.append(learner)
        services.enrolment_create(
            session=past,
            learner=learner,
            by=adviser,
            organisation=agency,
            france_travail_id=ft_id,
            funding=Funding.AIF,
            funder=agency,
            now=past_now,
        )
    for half_day in past.half_days.order_by("starts_at"):
        for index, enrolment in enumerate(past.enrolments.order_by("pk")):
            if index == 2 and half_day.period == "pm":
                services.line_mark_absent(
                    half_day=half_day,
                    enrolment=enrolment,
                    by=trainer,
                    reason="Rendez-vous médical",
                    now=half_day.starts_at + dt.timedelta(minutes=20),
                )
                continue
            services.line_sign(
                half_day=half_day,
                enrolment=enrolment,
                by=enrolment.learner,
                means="drawn",
                image=_signature(enrolment.learner.get_full_name()),
                now=half_day.starts_at + dt.timedelta(minutes=3 + index),
            )
        services.sheet_countersign(
            half_day=half_day,
            by=trainer,
            image=_signature("Formateur Démo"),
            now=half_day.ends_at + dt.timedelta(minutes=5),
        )

    _survey_and_invoice(past, agency, admin)

    # Sessions to come at three sites.
    now = timezone.now()
    schedule(programmes[0], aurillac, _tuesday(today, 4), now)
    schedule(programmes[1], saint_flour, _tuesday(today, 5), now)
    upcoming = schedule(programmes[1], aurillac, _tuesday(today, 6), now)
    services.enrolment_create(session=upcoming, learner=learners[0], by=learners[0], now=now)
