"""The booking parts of the consultation pages: a taken time, the booked time."""

import datetime as dt

from django import forms
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.protection import limit_form_posts
from locations.zones import zone_label

from ..models import OPEN_STATUSES
from .calendar import ICS_FILENAME, ICS_MIMETYPE, booking_ics
from .emails import booking_confirmation_queue
from .forms import ANYTIME, TAKEN_MESSAGE, SlotChoiceMixin
from .links import LinkError, booking_from_token, booking_link
from .models import Booking
from .services import SlotTaken, booking_cancel_by_patient, booking_change
from .wording import call_time_words

# The thank-you page's session entry (consultations.views keeps it).
THANKS_SESSION_KEY = "consultation_thanks"

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


def thanks_booking(shown: dict, location):
    """The booked time for the thank-you page, with its calendar and change
    links, or None (also when it was cancelled since)."""
    words = booked_call(shown, location)
    if words is None:
        return None
    booking = Booking.objects.live().filter(pk=words["booking_id"]).first()
    if booking is None:
        return None
    return words | {"link": booking_link(booking)}


def thanks_ics(request):
    """The thank-you page's calendar file: the booking kept in this session."""
    request.private_page = True
    shown = request.session.get(THANKS_SESSION_KEY) or {}
    remembered = shown.get(BOOKING_SESSION_KEY)
    booking = remembered and (
        Booking.objects.live()
        .select_related("location")
        .filter(pk=remembered["id"])
        .first()
    )
    if not booking:
        raise Http404
    return _ics_response(booking)


def _ics_response(booking):
    response = HttpResponse(
        booking_ics(booking, now=timezone.now()),
        content_type=f"{ICS_MIMETYPE}; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{ICS_FILENAME}"'
    return response


class BookingChangeForm(SlotChoiceMixin, forms.Form):
    def clean_slot(self):
        starts_at = super().clean_slot()
        if starts_at is None:
            raise forms.ValidationError(_("Choose the new time you would like."))
        return starts_at


CHANGE_TAKEN = _(
    "That time was just taken, please pick another. Your booked time has not changed."
)
MANAGE_TEMPLATE = "consultations/booking_manage.html"


@limit_form_posts
def booking_manage(request, token):
    """The page behind the email's signed link: cancel, or change the time."""
    request.private_page = True
    try:
        booking = booking_from_token(token, now=timezone.now())
    except LinkError as error:
        return _link_problem(request, error.reason)
    if booking.request.status not in OPEN_STATUSES:
        return _link_problem(request, "used")
    location = booking.location
    form = BookingChangeForm(request.POST if request.method == "POST" else None)
    form.offer_slots(location)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "cancel":
        booking_cancel_by_patient(booking=booking)
        return _render_done(request, booking, cancelled=True)
    if action == "change" and "slot" in form.fields and form.is_valid():
        try:
            with transaction.atomic():
                new = booking_change(
                    booking=booking, starts_at=form.cleaned_data["slot"]
                )
                booking_confirmation_queue(booking=new)
        except SlotTaken:
            form = BookingChangeForm(None)
            form.offer_slots(location)
            form.taken_error = CHANGE_TAKEN
        else:
            return _render_done(request, new, cancelled=False)
    return render(
        request,
        MANAGE_TEMPLATE,
        {
            "form": form,
            "location": location,
            "booked": call_time_words(booking.starts_at, location.zone),
            "zone_label": zone_label(location.time_zone),
        },
    )


def _render_done(request, booking, *, cancelled):
    location = booking.location
    return render(
        request,
        "consultations/booking_done.html",
        {
            "cancelled": cancelled,
            "location": location,
            "booked": call_time_words(booking.starts_at, location.zone),
            "zone_label": zone_label(location.time_zone),
        },
    )


def _link_problem(request, reason):
    return render(
        request,
        "consultations/booking_link_problem.html",
        {"reason": reason},
        status=410 if reason in ("used", "expired") else 400,
    )
