import datetime as dt
import re
import time
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters

from core.protection import ip_hash, limit_form_posts
from core.views import database_unavailable
from locations.models import Location
from locations.zones import zone_label

from .booking.views import form_after_taken_time, remember_booking, thanks_booking
from .forms import ConsultationRequestForm
from .models import ConsultationRequest, new_reference
from .services.intake import consultation_request_create
from .withdraw import (
    WithdrawLinkError,
    consultation_request_withdraw_by_patient,
    request_from_token,
)
from .workflow import promised_contact_deadline

FORM_TEMPLATE = "consultations/consultationrequest_form.html"
THANKS_SESSION_KEY = "consultation_thanks"
THANKS_SECONDS = 60 * 60
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


# Error reports (the emails to ADMINS) must never carry what the patient typed.
@sensitive_post_parameters()
@limit_form_posts
def consultation_create(request):
    request.private_page = True
    try:
        if request.method == "POST":
            return _submit(request)
        return _show_blank_form(request)
    except DatabaseError:
        # Nothing was stored, so the patient must not see a confirmation.
        return database_unavailable(request)


def thanks(request):
    request.private_page = True
    try:
        shown = request.session.get(THANKS_SESSION_KEY)
        if shown and not 0 <= time.time() - shown.get("at", 0) <= THANKS_SECONDS:
            del request.session[THANKS_SESSION_KEY]
            shown = None
        location = shown and Location.objects.filter(pk=shown["location"]).first()
        if not location:
            return redirect("consultations:create")
        # Read from the request itself: the session never holds the answer.
        # (A submission taken for a bot has no row, and gets the ordinary
        # page, which still shows the crisis lines.)
        urgent = (
            ConsultationRequest.objects.filter(
                reference=shown["reference"], location=location
            )
            .values_list("urgent", flat=True)
            .first()
        )
        contact_by = shown["contact_by"] and dt.datetime.fromisoformat(
            shown["contact_by"]
        ).astimezone(location.zone)
        return render(
            request,
            "consultations/thanks.html",
            {
                "reference": shown["reference"],
                "location": location,
                "urgent": bool(urgent),
                "contact_day": contact_by.date() if contact_by else None,
                "zone_label": zone_label(location.time_zone),
                "booked_call": thanks_booking(shown, location),
            },
        )
    except DatabaseError:
        # Only a stored request (or a bot) is sent here: never "nothing was sent".
        return database_unavailable(request, maybe_saved=True)


def _show_blank_form(request):
    initial = {"source_page": _referring_path(request)}
    not_open = None
    slug = request.GET.get("location", "")
    if SLUG.match(slug):
        location = Location.objects.filter(slug=slug).first()
        if location and location.accepts_requests:
            initial["location"] = location
        else:
            not_open = location
    return _render_form(
        request, ConsultationRequestForm(initial=initial), not_open=not_open
    )


def _render_form(request, form, *, not_open=None):
    return render(request, FORM_TEMPLATE, {"form": form, "not_open": not_open})


def _submit(request):
    form = ConsultationRequestForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form)
    if form.is_bot:
        # The same page a person gets, with a reference that means nothing.
        location = form.cleaned_data["location"]
        _remember(
            request,
            new_reference(),
            location,
            promised_contact_deadline(location, timezone.now()),
        )
        return _see_other(reverse("consultations:thanks"))
    try:
        consultation = consultation_request_create(
            **form.service_data(),
            submission_token=form.submission_token,
            ip_hash=ip_hash(request),
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _render_form(request, form)
    if getattr(consultation, "slot_taken", False):
        # Stored as "call me when you can"; they may pick another time.
        return _render_form(request, form_after_taken_time(form))
    _remember(
        request,
        consultation.reference,
        consultation.location,
        consultation.promised_contact_by,
    )
    remember_booking(request.session[THANKS_SESSION_KEY], consultation)
    return _see_other(reverse("consultations:thanks"))


def _remember(request, reference, location, contact_by):
    """Keep what the thank-you page needs in the session, never in its URL.

    Only the reference, the location and the promised time, for an hour; no
    answer the patient gave (the urgent flag is read from the request).
    """
    request.session[THANKS_SESSION_KEY] = {
        "reference": reference,
        "location": location.pk,
        "contact_by": contact_by.isoformat() if contact_by else None,
        "at": time.time(),
    }
    if not request.user.is_authenticated:
        # A visitor's session exists only for this page; the daily purge
        # deletes it once expired.
        request.session.set_expiry(THANKS_SECONDS)


def _see_other(url):
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _referring_path(request):
    """The page on this site the patient came from, as a bare path."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.get_host():
        return referer.path[:200]
    return ""


@limit_form_posts
def withdraw(request, token):
    """The page behind the acknowledgement email's link: one button to withdraw.

    Opening it changes nothing (mail scanners follow links); only the button
    (a POST) withdraws. It names the reference and the clinic, nothing else.
    """
    request.private_page = True
    try:
        if request.method == "POST":
            consultation = consultation_request_withdraw_by_patient(token=token)
            return render(
                request,
                "consultations/withdraw_done.html",
                {
                    "reference": consultation.reference,
                    "location": consultation.location,
                },
            )
        consultation = request_from_token(token)
    except WithdrawLinkError as error:
        return render(
            request,
            "consultations/withdraw_problem.html",
            {"reason": error.reason},
            status=400 if error.reason == "invalid" else 410,
        )
    except DatabaseError:
        return database_unavailable(request)
    return render(
        request,
        "consultations/withdraw_confirm.html",
        {"reference": consultation.reference, "location": consultation.location},
    )
