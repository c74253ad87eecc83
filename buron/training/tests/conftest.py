from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest

from buron.accounts.models import User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.places.models import Resource, Site
from buron.places.tests.factories import NetworkFactory, ResourceFactory, SiteFactory, open_all_week
from buron.training import services
from buron.training.models import (
    Adviser,
    Funding,
    OrganisationKind,
    PartnerOrganisation,
    Programme,
    Session,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# A plain Tuesday, far from public holidays; "now" is a week before it.
DAY = dt.date(2027, 3, 2)
NOW = dt.datetime(2027, 2, 23, 9, 0, tzinfo=PARIS)
DEADLINE = dt.datetime(2027, 2, 26, 18, 0, tzinfo=PARIS)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def site(db: None) -> Site:
    network = NetworkFactory(slug="cantal-test", name="Cantal test")
    site = SiteFactory(network=network, slug="murat", name="Télécentre de Murat")
    open_all_week(site)
    for n in (1, 2):
        ResourceFactory(site=site, name=f"Poste {n}")
    ResourceFactory(site=site, kind="meeting_room", name="Salle", capacity=8, booking_unit="hour")
    return site


@pytest.fixture
def room(site: Site) -> Resource:
    return Resource.objects.get(site=site, kind="meeting_room")


@pytest.fixture
def admin(site: Site) -> User:
    user = UserFactory(email="admin@example.org", first_name="Alix", last_name="Admin")
    StaffRoleFactory(user=user, network=site.network, role="network_admin", site=None)
    return user


@pytest.fixture
def trainer(db: None) -> User:
    return UserFactory(email="trainer@example.org", first_name="Théo", last_name="Formateur")


@pytest.fixture
def training_body(site: Site) -> PartnerOrganisation:
    return PartnerOrganisation.objects.create(
        network=site.network,
        name="Organisme Télétravail Auvergne",
        kind=OrganisationKind.TRAINING_BODY,
        declaration_number="84150000015",
    )


@pytest.fixture
def france_travail(site: Site) -> PartnerOrganisation:
    return PartnerOrganisation.objects.create(
        network=site.network, name="France Travail Murat", kind=OrganisationKind.EMPLOYMENT_SERVICE
    )


@pytest.fixture
def adviser(france_travail: PartnerOrganisation) -> User:
    user = UserFactory(email="conseil@example.org", first_name="Nadia", last_name="Conseil")
    Adviser.objects.create(user=user, organisation=france_travail)
    return user


@pytest.fixture
def programme(site: Site, training_body: PartnerOrganisation) -> Programme:
    return Programme.objects.create(
        network=site.network,
        slug="teletravail-bases",
        title="Télétravailler : les bases",
        is_published=True,
        objectives="Organiser son travail à distance.",
        prerequisites="Savoir utiliser un ordinateur.",
        audience="Demandeurs d'emploi, salariés.",
        duration_hours=Decimal("7"),
        teaching_methods="Ateliers pratiques.",
        assessment_methods="Quiz final.",
        trainers="Théo Formateur, consultant.",
        price=Decimal("350.00"),
        training_body=training_body,
        accessibility="Salle de plain-pied.",
        accessibility_contact="Référent handicap : 04 71 00 00 00",
    )


def schedule(
    programme: Programme,
    site: Site,
    room: Resource,
    admin: User,
    trainer: User,
    *,
    day: dt.date = DAY,
    capacity: int = 3,
    minimum: int = 2,
    deadline: dt.datetime = DEADLINE,
    **extra: Any,
) -> Session:
    return services.session_schedule(
        programme=programme,
        room=room,
        half_days=[
            services.HalfDaySpec(day, "am", dt.time(9), dt.time(12, 30)),
            services.HalfDaySpec(day, "pm", dt.time(13, 30), dt.time(17)),
        ],
        capacity=capacity,
        minimum=minimum,
        registration_deadline=deadline,
        trainer=trainer,
        by=admin,
        what_to_bring="Votre ordinateur portable.",
        now=NOW,
        **extra,
    )


@pytest.fixture
def session(programme, site, room, admin, trainer) -> Session:
    return schedule(programme, site, room, admin, trainer)


@pytest.fixture
def people(session, adviser, france_travail):
    camille = UserFactory(email="camille@example.org", first_name="Camille", last_name="Durand")
    jean = UserFactory(email="jean@example.org", first_name="Jean", last_name="Dupont")
    a = services.enrolment_create(session=session, learner=camille, by=camille, now=NOW)
    b = services.enrolment_create(
        session=session,
        learner=jean,
        by=adviser,
        organisation=france_travail,
        france_travail_id="1234567A",
        funding=Funding.AIF,
        funder=france_travail,
        now=NOW,
    )
    return a, b
