"""The booked time in the patient's emails: acknowledgement, confirmation, reminder.

Every one goes through the mail queue (core.emails) in the caller's
transaction, carries the .ics file and the signed change-or-cancel link, and
says nothing the patient wrote.
"""

import datetime as dt

from django.utils import timezone

from core.emails import message_id, queue_templated_email
from locations.zones import zone_label_lazy

from .calendar import ICS_FILENAME, ICS_MIMETYPE, booking_ics
from .links import booking_link
from .wording import lazy_call_time_words


def booked_call_context(booking) -> dict:
    """What the email templates need about a booking ({} without one)."""
    if booking is None:
        return {}
    location = booking.location
    return {
        "booked_call": {
            **lazy_call_time_words(booking.starts_at, location.zone),
            "zone": zone_label_lazy(location.time_zone),
            "link": booking_link(booking),
        }
    }


def booking_attachments(booking, *, now: dt.datetime | None = None) -> list:
    if booking is None:
        return []
    ics = booking_ics(booking, now=now or timezone.now())
    return [(ICS_FILENAME, ics, ICS_MIMETYPE)]


def _queue(template, booking, key, now):
    consultation = booking.request
    if not consultation.email:
        return None
    return queue_templated_email(
        template=template,
        context={
            "reference": consultation.reference,
            "location": booking.location,
            "urgent": consultation.urgent,
            **booked_call_context(booking),
        },
        to=[consultation.email],
        language=consultation.language,
        message_id=message_id("booking", f"{booking.pk}-{key}"),
        attachments=booking_attachments(booking, now=now),
    )


def booking_confirmation_queue(*, booking, now: dt.datetime | None = None):
    """A time booked after the acknowledgement went (another pick, a change)."""
    return _queue("booking_confirmed", booking, "confirmed", now)


def booking_reminder_queue(*, booking, now: dt.datetime | None = None):
    return _queue("call_reminder", booking, "reminder", now)
