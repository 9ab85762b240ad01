"""Intake: a patient's request from the public form, stored and announced.

One transaction stores the request and queues its emails (core.emails), so
neither exists without the other.
"""

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import message_id, queue_templated_email
from core.text import clean_text
from locations.models import Location
from locations.zones import zone_label_lazy

from ..booking.emails import booked_call_context, booking_attachments
from ..booking.services import book_with_request, booking_for_stored_request
from ..models import (
    CallTime,
    ConsultationRequest,
    ContactMethod,
    Language,
    SelfHarmAnswer,
    new_reference,
)
from ..notifications import StaffAlert, staff_alert_send
from ..withdraw import withdraw_link
from ..workflow import promised_contact_deadline

REPEAT_WINDOW = dt.timedelta(hours=24)
SAVE_ATTEMPTS = 3


def consultation_request_create(
    *,
    location: Location,
    first_name: str,
    last_name: str,
    phone,
    email: str = "",
    email_copy: bool = False,
    preferred_contact: str,
    call_times: Sequence[str] = (),
    language: str = Language.ENGLISH,
    interest: str = "",
    message: str = "",
    heard_about: str = "",
    self_harm_answer: str = "",
    submission_token: str,
    ip_hash: str,
    source_page: str = "",
    consent_text_version: str | None = None,
    slot_start: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ConsultationRequest:
    """Store a request and queue its emails, all in one transaction.

    Every valid submission is its own row. Returns the new request, or the one
    already stored for this submission token (the same rendered form sent
    twice: a double click, back-and-resubmit, concurrent reposts).

    A likely repeat (same location, same phone or email, within 24 hours of
    an open request) is stored in full and only *linked* to the earlier one,
    for staff to review: nothing of either request is copied, shown to the
    other submitter or changed. Two people can share a household phone. A
    repeat does not email staff again unless it is urgent.

    With ``slot_start``, the request also books that call time (booking/). A
    time taken meanwhile never costs the request: it is stored as "call me
    when you can" and comes back with ``slot_taken`` set, so the form can
    offer other times; the same form sent again with another time books it.
    """
    now = now or timezone.now()
    # The callback promise walks the days ahead through the hours and the
    # holidays: two queries here, not two for every day it looks at.
    prefetch_related_objects([location], "hours", "holidays")
    consultation = ConsultationRequest(
        location=location,
        first_name=clean_text(first_name),
        last_name=clean_text(last_name),
        phone=phone,
        email=(email or "").strip(),
        preferred_contact=preferred_contact,
        call_times=[t for t in CallTime.values if t in set(call_times)],
        language=language,
        interest=interest,
        message=clean_text(message, multiline=True),
        heard_about=clean_text(heard_about),
        self_harm_answer=self_harm_answer,
        urgent=self_harm_answer == SelfHarmAnswer.YES,
        consent_text_version=consent_text_version or settings.CONSENT_TEXT_VERSION,
        consented_at=now,
        source_page=source_page[:200],
        ip_hash=ip_hash,
        submission_token=submission_token or None,
        promised_contact_by=promised_contact_deadline(location, now),
    )
    _validate(consultation, call_times)

    with transaction.atomic():
        # Requests for one location go through one at a time, so neither a
        # concurrent double submit nor a quick repeat can slip past the checks.
        list(Location.objects.select_for_update().filter(pk=location.pk).values("pk"))
        stored = _stored_for_token(consultation.submission_token)
        if stored is not None:
            return booking_for_stored_request(stored, slot_start, now=now)
        consultation.repeat_of = _recent_request_from(consultation, now)
        notify_staff = consultation.repeat_of is None or consultation.urgent
        for attempt in range(SAVE_ATTEMPTS):
            consultation.staff_notification_id = (
                message_id("consult", f"{consultation.reference}-staff")
                if notify_staff
                else ""
            )
            try:
                with transaction.atomic():
                    consultation.save()
                break
            except IntegrityError:
                stored = _stored_for_token(consultation.submission_token)
                if stored is not None:
                    return stored
                if attempt == SAVE_ATTEMPTS - 1:
                    raise
                consultation.pk = None
                consultation.reference = new_reference()  # a reference collision
        book_with_request(consultation, slot_start, now=now)
        if notify_staff:
            # Urgent: the staff addresses and the on-call list, at once.
            staff_alert_send(
                consultation_request=consultation,
                alert=StaffAlert.URGENT if consultation.urgent else StaffAlert.NEW,
                message_id=consultation.staff_notification_id,
            )
        if _acknowledge_by_email(consultation, email_copy=email_copy, now=now):
            _queue_patient_email(consultation)
    return consultation


def _acknowledge_by_email(consultation, *, email_copy: bool, now) -> bool:
    """Whether the patient gets an acknowledgement email.

    Only when they asked to be contacted by email or ticked "email me a
    copy": a form anyone can fill in must not send mail to any address typed.
    And at most PATIENT_ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY to one address,
    counting every request from it in the last 24 hours, so the form cannot be
    used to flood someone's inbox.
    """
    if not consultation.email:
        return False
    if not (email_copy or consultation.preferred_contact == ContactMethod.EMAIL):
        return False
    earlier = (
        ConsultationRequest.objects.filter(
            email__iexact=consultation.email,
            created_at__gte=now - dt.timedelta(days=1),
        )
        .exclude(pk=consultation.pk)
        .count()
    )
    return earlier < settings.PATIENT_ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY


def _validate(consultation, call_times):
    errors = {}
    if not consultation.location.accepts_requests:
        errors["location"] = [_("This clinic is not taking requests at the moment.")]
    if set(call_times) - set(CallTime.values):
        errors["call_times"] = [_("Choose from the times offered.")]
    # A TextField's max_length binds forms only; the model check skips it.
    message_limit = ConsultationRequest._meta.get_field("message").max_length
    if len(consultation.message) > message_limit:
        errors["message"] = [_("The message is too long.")]
    if consultation.self_harm_answer not in ["", *SelfHarmAnswer.values]:
        errors["self_harm_answer"] = [_("Choose one of the answers offered.")]
    try:
        # Uniqueness is left to the database: a unique check here would race
        # with a concurrent submit of the same form.
        consultation.full_clean(validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _stored_for_token(token):
    if not token:
        return None
    return ConsultationRequest.objects.filter(submission_token=token).first()


def _recent_request_from(consultation, now):
    """The earliest open request at this location from the same phone or email
    in the last 24 hours, or None. Phones are stored in E.164, so any typed
    format compares equal; emails compare without case."""
    same_contact = Q(phone=consultation.phone)
    if consultation.email:
        same_contact |= Q(email__iexact=consultation.email)
    return (
        ConsultationRequest.objects.open()
        .filter(
            same_contact,
            location=consultation.location,
            created_at__gte=now - REPEAT_WINDOW,
        )
        .order_by("created_at")
        .first()
    )


def _email_context(consultation):
    location = consultation.location
    promised = consultation.promised_contact_by
    return {
        "reference": consultation.reference,
        "location": location,
        "urgent": consultation.urgent,
        # A date, so templates cannot shift it into the server's time zone.
        "promised_day": promised.astimezone(location.zone).date() if promised else None,
        "zone_label": zone_label_lazy(location.time_zone),
        **booked_call_context(getattr(consultation, "booking", None)),
    }


def _queue_patient_email(consultation):
    """To the patient: the reference and what happens next, nothing they wrote."""
    queue_templated_email(
        template="consultation_patient",
        context={
            **_email_context(consultation),
            # Not for an urgent request: one click by whoever reads the email
            # (a mistyped address) would close it and stop its alerts; the
            # patient can still call us to withdraw.
            "withdraw_url": "" if consultation.urgent else withdraw_link(consultation),
        },
        to=[consultation.email],
        language=consultation.language,
        message_id=message_id("consult", f"{consultation.reference}-patient"),
        attachments=booking_attachments(getattr(consultation, "booking", None)),
    )
