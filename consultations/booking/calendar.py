"""The .ics calendar file of a booked call (RFC 5545).

Only the time and the clinic's phone: no name, no reference, no word about
treatment, since a calendar is often shared or shown on a locked screen.
"""

import datetime as dt

from core.emails import mail_domain

PRODID = "-//Lanternfield//Booked call//EN"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def _stamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_ics(booking, *, now: dt.datetime, sequence: int = 0) -> str:
    """One VEVENT; a cancelled booking gives METHOD:CANCEL for the same UID."""
    phone = booking.location.phone_display
    cancelled = booking.cancelled_at is not None
    description = (
        f"We will call you at this time. To reach us: {phone}"
        if phone
        else "We will call you at this time."
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:call-{booking.pk}@{mail_domain()}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(booking.starts_at)}",
        f"DTEND:{_stamp(booking.ends_at)}",
        "SUMMARY:Phone call",
        f"DESCRIPTION:{_escape(description)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


ICS_FILENAME = "call.ics"
ICS_MIMETYPE = "text/calendar"
