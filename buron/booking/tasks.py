"""Background work of the booking app: confirmation emails."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from .models import Booking


@task()
def booking_confirmation_send(*, booking_ids: list[int], language: str) -> int:
    """Email the member a confirmation of one or more bookings (several for a series)."""
    bookings = list(
        Booking.objects.filter(pk__in=booking_ids, member__isnull=False)
        .select_related("member", "site", "resource", "network")
        .order_by("start")
    )
    if not bookings:
        return 0
    member = bookings[0].member
    if member is None:
        return 0
    with translation.override(language):
        context = {"member": member, "bookings": bookings, "site_url": settings.SITE_URL}
        subject = render_to_string("booking/email/confirmation_subject.txt", context).strip()
        body = render_to_string("booking/email/confirmation.txt", context)
    send_mail(subject, body, None, [member.email])
    return len(bookings)
