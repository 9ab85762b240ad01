"""Booked calls on the triage screens: the list's "call by" cell, the request's page."""

from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..admin.display import local_time


def booked_call_cell(booked_at, zone):
    """'Booked Dec 3, 9:00 a.m. PST' in the "call by" cell: the booked time is
    the promise, so it takes the cell instead of a column of its own."""
    return format_html(
        '<span class="triage-flag triage-flag--booked">{}</span> {}',
        _("Booked"),
        local_time(booked_at, zone, short=True),
    )


def booked_call_line(consultation):
    """The live booked call of a request, for the top of its page, or None."""
    booking = consultation.bookings.live().first()
    if booking is None:
        return None
    return {
        "label": _("Booked call"),
        "when": local_time(booking.starts_at, consultation.location.zone),
    }
