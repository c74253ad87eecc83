"""Departures in the admin: closing accounts, withdrawing resources, unpublishing and
closing sites go through the departures service (buron.booking.services.departures and
buron.accounts.services.member_close), never through a plain delete or a bare flag; the
staff then see the list of bookings moved or cancelled.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buron.accounts.privacy import Affected

# Past this many, the message says how many more (the audit log lists them all).
SHOWN = 50


def affected_report(request: HttpRequest, affected: list[Affected]) -> None:
    """Tell the staff member which bookings their action gave up, and what became of each
    (the members are emailed)."""
    if not affected:
        messages.info(request, _("No booking still to come was affected."))
        return
    moved = sum(1 for a in affected if a.moved)
    head = ngettext(
        "%(count)d booking still to come was affected (%(moved)d moved, %(cancelled)d "
        "cancelled); its member is told by email:",
        "%(count)d bookings still to come were affected (%(moved)d moved, %(cancelled)d "
        "cancelled); their members are told by email:",
        len(affected),
    ) % {"count": len(affected), "moved": moved, "cancelled": len(affected) - moved}
    items = format_html_join(
        "",
        "<li>{} — {}, {}: {} ({})</li>",
        (
            (
                date_format(localtime(a.start), "SHORT_DATETIME_FORMAT"),
                a.site,
                a.resource,
                a.person,
                a.outcome,
            )
            for a in affected[:SHOWN]
        ),
    )
    more = ""
    if len(affected) > SHOWN:
        more = _("…and %(count)d more.") % {"count": len(affected) - SHOWN}
    messages.warning(request, format_html("{}<ul>{}</ul>{}", head, items, more))
