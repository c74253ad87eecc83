"""Enrol a learner (themselves, or through a partner's adviser), cancel, and move the
waiting list up.

Capacity is counted under a lock on the session's row (PostgreSQL: SELECT … FOR UPDATE;
SQLite: transactions begin IMMEDIATE, so writers already run one at a time): two
enrolments in the same session never count at the same moment, so the session is never
above capacity and the waiting list is served in its order (created_at, then id)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import User, VisitorStatus
from buron.accounts.selectors import staff_scope
from buron.accounts.services import member_create

from .. import tasks
from ..errors import refusal
from ..models import (
    Adviser,
    Enrolment,
    EnrolmentStatus,
    Funding,
    OrganisationKind,
    PartnerOrganisation,
    Session,
    SessionStatus,
)
from .notify import enqueue

# France Travail's identifier of a job seeker: 7 digits and a letter or digit (the older
# 8-character form), optionally followed by up to 3 more (the current 11-character one).
FRANCE_TRAVAIL_ID = re.compile(r"^[0-9]{7}[0-9A-Z]([0-9A-Z]{3})?$")


def is_adviser(*, user: User, organisation: PartnerOrganisation) -> bool:
    """Whether the user enrols learners on behalf of this organisation."""
    return Adviser.objects.filter(user=user, organisation=organisation).exists()


def _check_who(
    *, session: Session, learner: User, by: User, organisation: PartnerOrganisation | None
) -> None:
    if organisation is not None:
        if organisation.network_id != session.network_id:
            raise refusal(
                _("This organisation is not a partner of this network."),
                "other_network",
                "organisation",
            )
        if not is_adviser(user=by, organisation=organisation) and not staff_scope(
            user=by
        ).covers_site(session.site):
            raise refusal(_("You are not an adviser of this organisation."), "not_adviser")
        return
    if by.pk != learner.pk and not staff_scope(user=by).covers_site(session.site):
        raise refusal(_("You may only enrol yourself."), "not_yourself")


def _check_funding(
    *,
    session: Session,
    organisation: PartnerOrganisation | None,
    france_travail_id: str,
    funding: str,
    funder: PartnerOrganisation | None,
) -> None:
    if funding not in Funding.values:
        raise refusal(_("Choose how the training is funded."), "invalid_funding", "funding")
    if france_travail_id and not FRANCE_TRAVAIL_ID.match(france_travail_id):
        raise refusal(
            _("A France Travail identifier has 8 or 11 characters, e.g. 1234567A."),
            "invalid_france_travail_id",
            "france_travail_id",
        )
    if (
        organisation is not None
        and organisation.kind == OrganisationKind.EMPLOYMENT_SERVICE
        and not france_travail_id
    ):
        raise refusal(
            _("Give the job seeker's France Travail identifier."),
            "france_travail_id_missing",
            "france_travail_id",
        )
    if funding != Funding.SELF and funder is None:
        raise refusal(_("Choose the funder."), "funder_missing", "funder")
    if funder is not None and funder.network_id != session.network_id:
        raise refusal(_("This funder is not a partner of this network."), "other_network", "funder")


@transaction.atomic
def enrolment_create(
    *,
    session: Session,
    learner: User,
    by: User,
    organisation: PartnerOrganisation | None = None,
    france_travail_id: str = "",
    funding: str = Funding.SELF,
    funder: PartnerOrganisation | None = None,
    now: dt.datetime | None = None,
) -> Enrolment:
    """Enrol a learner: a place while there is one, else the waiting list. The learner
    enrols themselves; an adviser enrols on behalf of their organisation (with the job
    seeker's France Travail identifier and the funding). The learner gets a convocation,
    or a note of their rank on the waiting list."""
    now = now or timezone.now()
    france_travail_id = france_travail_id.strip().upper()
    if not learner.is_active:
        raise refusal(_("This account is closed."), "learner_inactive")
    # The lock: every enrolment in this session counts after the previous one committed.
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("site", "programme")
        .get(pk=session.pk)
    )
    _check_who(session=session, learner=learner, by=by, organisation=organisation)
    _check_funding(
        session=session,
        organisation=organisation,
        france_travail_id=france_travail_id,
        funding=funding,
        funder=funder,
    )
    if session.status == SessionStatus.CANCELLED or not session.programme.is_published:
        raise refusal(_("This session does not take enrolments."), "session_closed")
    if now >= session.registration_deadline:
        raise refusal(_("Registration for this session is closed."), "deadline_passed", "session")
    live = Enrolment.objects.filter(session=session).exclude(status=EnrolmentStatus.CANCELLED)
    if live.filter(learner=learner).exists():
        raise refusal(_("This learner is already enrolled in this session."), "already_enrolled")
    taken = live.filter(status=EnrolmentStatus.CONFIRMED).count()
    has_place = taken < session.capacity
    enrolment = Enrolment.objects.create(
        session=session,
        learner=learner,
        status=EnrolmentStatus.CONFIRMED if has_place else EnrolmentStatus.WAITING,
        enrolled_by=by if by.pk != learner.pk else None,
        organisation=organisation,
        france_travail_id=france_travail_id,
        funding=funding,
        funder=funder,
        created_at=now,
        confirmed_at=now if has_place else None,
    )
    if has_place:
        enqueue(tasks.training_convocation_send, enrolment_ids=[enrolment.pk])
    else:
        enqueue(tasks.training_waiting_send, enrolment_ids=[enrolment.pk])
    return enrolment


def can_follow(*, user: User, enrolment: Enrolment) -> bool:
    """The learner, an adviser of the organisation that enrolled them, the trainer, and the
    site's staff follow an enrolment; nobody else."""
    if enrolment.learner_id == user.pk or enrolment.session.trainer_id == user.pk:
        return True
    if enrolment.organisation is not None and is_adviser(
        user=user, organisation=enrolment.organisation
    ):
        return True
    return staff_scope(user=user).covers_site(enrolment.session.site)


@transaction.atomic
def enrolment_cancel(
    *, enrolment: Enrolment, by: User, now: dt.datetime | None = None
) -> Enrolment:
    """Cancel an enrolment before the session starts; a freed place goes at once to the
    first on the waiting list, who gets their convocation."""
    now = now or timezone.now()
    session = Session.objects.select_for_update(of=("self",)).get(pk=enrolment.session_id)
    enrolment = Enrolment.objects.select_related("session__site", "organisation").get(
        pk=enrolment.pk
    )
    may_cancel = (
        enrolment.learner_id == by.pk
        or (
            enrolment.organisation is not None
            and is_adviser(user=by, organisation=enrolment.organisation)
        )
        or staff_scope(user=by).covers_site(enrolment.session.site)
    )
    if not may_cancel:
        raise refusal(_("This enrolment is not yours."), "not_yours")
    if enrolment.status == EnrolmentStatus.CANCELLED:
        raise refusal(_("This enrolment is already cancelled."), "already_cancelled")
    first = session.half_days.order_by("starts_at").first()
    if first is not None and first.starts_at <= now:
        raise refusal(_("This session has started."), "started")
    was_confirmed = enrolment.status == EnrolmentStatus.CONFIRMED
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.cancelled_at = now
    enrolment.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        _move_up(session=session, now=now)
    return enrolment


def _move_up(*, session: Session, now: dt.datetime) -> Enrolment | None:
    """Give the free places to the waiting list, first come first served (called under the
    session's lock)."""
    taken = Enrolment.objects.filter(session=session, status=EnrolmentStatus.CONFIRMED).count()
    free = session.capacity - taken
    if free <= 0 or session.status == SessionStatus.CANCELLED:
        return None
    promoted = list(
        Enrolment.objects.filter(session=session, status=EnrolmentStatus.WAITING).order_by(
            "created_at", "pk"
        )[:free]
    )
    for enrolment in promoted:
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.confirmed_at = now
        enrolment.save(update_fields=["status", "confirmed_at"])
    if promoted:
        enqueue(tasks.training_convocation_send, enrolment_ids=[e.pk for e in promoted])
    return promoted[0] if promoted else None


@transaction.atomic
def enrolment_create_for_job_seeker(
    *,
    session: Session,
    organisation: PartnerOrganisation,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    france_travail_id: str,
    funding: str,
    funder: PartnerOrganisation | None,
    now: dt.datetime | None = None,
) -> Enrolment:
    """An adviser enrols a job seeker: their account is found by email, or created (as a
    job seeker, without a password: they choose one with "forgotten password" to sign
    the sheets). Nothing is written when the enrolment is refused."""
    if not is_adviser(user=by, organisation=organisation):
        raise refusal(_("You are not an adviser of this organisation."), "not_adviser")
    learner = User.objects.filter(email__iexact=email.strip()).first()
    if learner is None:
        learner = member_create(
            email=email,
            password=None,
            status=VisitorStatus.JOB_SEEKER,
            first_name=first_name,
            last_name=last_name,
        )
    return enrolment_create(
        session=session,
        learner=learner,
        by=by,
        organisation=organisation,
        france_travail_id=france_travail_id,
        funding=funding,
        funder=funder,
        now=now,
    )
