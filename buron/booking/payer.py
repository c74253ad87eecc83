"""Who pays for a booking: the member, or their employer under a contract (a booking
participant, called before the offers' coverage: when an employer pays, no right is spent
and nothing is due by the member).

Only a booking whose member's status that day names an employer (Booking.employer_name)
asks employers anything: for every other member the payer adds no statement to the booking,
its cancellation or its move. The member's choice comes in `change.choices["payer"]`
(`member`, `employer`, `employer:<organisation id>`; empty: the remembered default).
"""

from __future__ import annotations

from buron.accounts.models import User
from buron.employers import services as employers
from buron.employers.services import PayerRefused, UseAsk
from buron.places.models import ResourceKind

from . import coverage, participants
from .errors import BookingRefused
from .participants import BookingChange, Reason
from .slots import zone

NAME = "employer-payer"


def _refused(exc: PayerRefused) -> BookingRefused:
    return BookingRefused({"payer": [BookingRefused(exc.messages[0], code=exc.code)]})


class EmployerPayer:
    """The participant: employers' services called with what booking knows of the change."""

    def booking_created(self, change: BookingChange) -> None:
        booking = change.booking
        moved_from = change.choices.get("moved_from")
        if change.reason == Reason.MOVED and moved_from:
            if booking.employer_name:
                found = employers.use_move(
                    from_booking_id=int(moved_from),
                    to_booking_id=booking.pk,
                    site_id=booking.site_id,
                )
                if found is not None:
                    change.outcome.update(found.outcome())
            return
        try:
            choice = employers.payer_choice_parse(change.choices.get("payer"))
            if booking.member is None or not booking.employer_name:
                if choice.kind == employers.PAYER_EMPLOYER:
                    raise PayerRefused(
                        employers.no_employer_message(), code="no_employer_on_status"
                    )
                return
            found = employers.use_for_booking(ask=_ask(change, booking.member), choice=choice)
        except PayerRefused as exc:
            raise _refused(exc) from exc
        if found is not None:
            change.outcome.update(found.outcome())

    def booking_cancelled(self, change: BookingChange) -> None:
        if change.reason == Reason.MOVED or not change.booking.employer_name:
            return
        if employers.use_give_back(booking_id=change.booking.pk, late=change.late):
            change.outcome.update(
                {"payer": employers.PAYER_EMPLOYER, "covered_by": employers.COVERED_BY_CONTRACT}
            )


def _ask(change: BookingChange, member: User) -> UseAsk:
    booking = change.booking
    site = booking.site
    desk = booking.resource.kind == ResourceKind.DESK
    return UseAsk(
        member=member,
        network_id=booking.network_id,
        site_id=booking.site_id,
        site_name=site.name,
        booking_id=booking.pk,
        day=booking.start.astimezone(zone(site.network.time_zone)).date(),
        period=booking.period if desk else "",
        by_member=change.by is None or change.by.pk == member.pk,
    )


def payer_choices(value: str | None) -> dict[str, str]:
    """The booking's `choices` for a payer given by a form or the API (checked there)."""
    return {"payer": value} if value else {}


def connect() -> None:
    """Register the participant before the offers' coverage (BookingConfig.ready)."""
    participants.participant_register(name=NAME, participant=EmployerPayer(), before=coverage.NAME)
