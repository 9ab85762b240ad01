"""How the triage list shows a booked call: the word, then the local time."""

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
