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
from django.core import signing
from django.urls import reverse

from .models import Booking

SALT = "consultations.booking.link"
LINK_MAX_AGE = dt.timedelta(days=30)


def booking_token(booking: Booking) -> str:
    # The booking's creation time binds the token to this one row: ids are
    # never reused, but this keeps a token from outliving a restored backup.
    return signing.dumps(
        {"b": booking.pk, "c": int(booking.created_at.timestamp())},
        salt=SALT,
        compress=False,
    )


def booking_link(booking: Booking) -> str:
    path = reverse("consultations:booking", args=[booking_token(booking)])
    return settings.SITE_URL + path


class LinkError(Exception):
    """Why a link cannot be used: ``reason`` is 'invalid', 'expired' or 'used'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def booking_from_token(token: str, *, now: dt.datetime) -> Booking:
    """The live, future booking the token was made for, or LinkError."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE.total_seconds())
        pk, created = int(payload["b"]), int(payload["c"])
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkError("invalid") from None
    booking = (
        Booking.objects.select_related("location", "request").filter(pk=pk).first()
    )
    if booking is None or int(booking.created_at.timestamp()) != created:
        raise LinkError("invalid")
    if booking.cancelled_at is not None:
        raise LinkError("used")
    if booking.starts_at <= now:
        raise LinkError("expired")
    return booking
