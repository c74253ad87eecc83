"""Background work of attendance: the periodic no-show release and its emails."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from buron.booking.models import Booking
from buron.core.emails import deliverable


@task()
def no_shows_release_run() -> int:
    """Release the bookings nobody checked in for in time (see services.no_shows_release)."""
    from .services import no_shows_release

    return len(no_shows_release())


@task()
def no_show_notice_send(*, booking_id: int, language: str) -> int:
    """Tell a member their booking was released because they had not checked in."""
    booking = (
        Booking.objects.filter(pk=booking_id, member__isnull=False)
        .select_related("member", "site", "resource", "network")
        .first()
    )
    if booking is None or booking.member is None or not deliverable([booking.member.email]):
        return 0  # nobody to tell (a walk-in booked without an email: accounts.light)
    with translation.override(language):
        context = {"booking": booking, "member": booking.member, "site_url": settings.SITE_URL}
        subject = render_to_string("attendance/email/released_subject.txt", context).strip()
        body = render_to_string("attendance/email/released.txt", context)
    send_mail(subject, body, None, [booking.member.email])
    return 1
