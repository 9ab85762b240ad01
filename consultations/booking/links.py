"""The signed link in a patient's email to change or cancel a booked call.

The same rules as the withdraw link of the safety work: the URL holds a
signature over the booking's id and nothing about the patient; it expires
(LINK_MAX_AGE, and at the call time in any case); each action works once,
because it ends the booking the link was made for (a change makes a new
booking with new links). A forged, expired or used link gets a plain page,
never a 500, and changes nothing.
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse

from core.links import RowLinkError, row_from_token, row_token

from .models import Booking

SALT = "consultations.booking.link"
LINK_MAX_AGE = dt.timedelta(days=30)


def booking_token(booking: Booking) -> str:
    return row_token(booking, salt=SALT, key="b")


def booking_link(booking: Booking) -> str:
    path = reverse("consultations:booking", args=[booking_token(booking)])
    return settings.SITE_URL + path


class LinkError(RowLinkError):
    """Why a link cannot be used: ``reason`` is 'invalid', 'expired' or 'used'."""


def booking_from_token(token: str, *, now: dt.datetime) -> Booking:
    """The live, future booking the token was made for, or LinkError."""
    bookings = Booking.objects.select_related("location", "request")
    try:
        booking = row_from_token(
            token, salt=SALT, key="b", max_age=LINK_MAX_AGE, queryset=bookings
        )
    except RowLinkError as error:
        raise LinkError(error.reason) from None
    if booking.cancelled_at is not None:
        raise LinkError("used")
    if booking.starts_at <= now:
        raise LinkError("expired")
    return booking
