"""The booking parts of the consultation pages: a taken time, the booked time."""

import datetime as dt

from .forms import ANYTIME, TAKEN_MESSAGE, day_label, time_label

BOOKING_SESSION_KEY = "booking"


def form_after_taken_time(form):
    """The same answers again, "call me when you can" ticked, the error on the
    time, and the free times as they are now. The form token is the same, so
    sending it again books another time for the request already stored."""
    data = form.data.copy()
    data[form.add_prefix("slot")] = ANYTIME
    again = form.__class__(data)
    again.is_valid()
    if "slot" in again.fields:
        again.add_error("slot", TAKEN_MESSAGE)
    else:
        again.add_error(None, TAKEN_MESSAGE)
    return again


def remember_booking(shown: dict, consultation) -> None:
    """Add the booked time to what the thank-you page shows (in the session)."""
    booking = getattr(consultation, "booking", None)
    shown[BOOKING_SESSION_KEY] = (
        {"id": booking.pk, "starts_at": booking.starts_at.isoformat()}
        if booking
        else None
    )


def booked_call(shown: dict, location):
    """The booked time in the location's zone, in words, or None. Formatted
    here: a template's date filter would move it into the server's zone."""
    booking = shown.get(BOOKING_SESSION_KEY)
    if not booking:
        return None
    starts_at = dt.datetime.fromisoformat(booking["starts_at"])
    return call_time_words(starts_at, location.zone) | {"booking_id": booking["id"]}


def call_time_words(starts_at, zone) -> dict:
    local = starts_at.astimezone(zone)
    return {"day": day_label(local.date()), "time": time_label(local, zone)}
