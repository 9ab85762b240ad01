"""Telling staff about a request, and whether that message went out.

``staff_alert_send`` is the one way the site tells staff about a request: a
new one, an urgent one, an urgent one nobody has acknowledged, an escalation.
It picks the recipients for the kind of alert and sends by email; a further
channel (text messages) belongs inside it, so no caller changes. Every alert
carries the location, an opaque reference and an admin link: never a name,
contact details, or anything the patient wrote or answered.

The request stores the Message-ID of its staff notification (given when it
was queued); django-mailer keeps undelivered mail in its queue and logs each
delivery attempt under that id. The admin's list column and change view both
ask ``staff_notification_states``.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from mailer.models import (
    PRIORITY_DEFERRED,
    RESULT_SUCCESS,
    Message,
    MessageLog,
    db_to_email,
    get_message_id,
)

from core.emails import message_id as make_message_id
from core.emails import queue_templated_email
from locations.zones import zone_label_lazy


class StaffAlert(models.TextChoices):
    NEW = "new", _("New request")
    URGENT = "urgent", _("New urgent request")
    REMINDER = "reminder", _("Urgent, not acknowledged: sent to the on-call list again")
    ESCALATION = "escalation", _("Urgent, not acknowledged: escalated clinic-wide")


def staff_alert_recipients(consultation_request, alert: StaffAlert) -> list[str]:
    """Who hears about it: staff, on call, or the clinic-wide escalation address.

    A location with no on-call list still has its staff addresses, so an
    urgent request never goes nowhere.
    """
    location = consultation_request.location
    staff = location.notification_email_list
    on_call = location.on_call_email_list
    if alert == StaffAlert.NEW:
        recipients = staff
    elif alert == StaffAlert.URGENT:
        recipients = [*staff, *on_call]
    elif alert == StaffAlert.REMINDER:
        recipients = on_call or staff
    else:
        recipients = list(settings.CLINIC_ESCALATION_EMAIL)
    unique = {}
    for address in recipients:
        unique.setdefault(address.lower(), address)
    return list(unique.values())


def staff_alert_send(
    *, consultation_request, alert: StaffAlert, message_id: str | None = None
) -> str:
    """Queue the alert (in the caller's transaction); returns its Message-ID.

    Returns "" when there is nobody to send it to (only an escalation with no
    CLINIC_ESCALATION_EMAIL, which production settings refuse).
    """
    recipients = staff_alert_recipients(consultation_request, alert)
    if not recipients:
        return ""
    message_id = message_id or make_message_id(
        "consult", f"{consultation_request.reference}-{alert}"
    )
    template = (
        "consultation_staff"
        if alert in (StaffAlert.NEW, StaffAlert.URGENT)
        else "consultation_unacknowledged"
    )
    return queue_templated_email(
        template=template,
        context=_alert_context(consultation_request, alert),
        to=recipients,
        language=settings.LANGUAGE_CODE,
        message_id=message_id,
    )


def _alert_context(consultation_request, alert):
    location = consultation_request.location
    promised = consultation_request.promised_contact_by
    received = consultation_request.created_at or timezone.now()
    admin_path = reverse(
        "admin:consultations_consultationrequest_change",
        args=[consultation_request.pk],
    )
    return {
        "alert": alert,
        "escalation": alert == StaffAlert.ESCALATION,
        "reference": consultation_request.reference,
        "location": location,
        "urgent": consultation_request.urgent,
        # A date and a formatted time in the location's zone: a template's
        # |date would shift an aware datetime into the server's zone.
        "promised_day": promised.astimezone(location.zone).date() if promised else None,
        "received": date_format(timezone.localtime(received, location.zone), "g:i a"),
        "zone_label": zone_label_lazy(location.time_zone),
        "ack_minutes": settings.URGENT_ACK_MINUTES,
        "admin_url": settings.SITE_URL + admin_path,
    }


class NotificationState(models.TextChoices):
    NONE = "none", _("No staff email")
    QUEUED = "queued", _("Queued for the mail worker")
    RETRYING = "retrying", _("Not delivered yet: the last attempt failed; retrying")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed: the mail server would not take it")
    UNKNOWN = "unknown", _("No record (the mail log was purged)")

    @property
    def short_label(self):
        """A word or two for the list column; the full label is its tooltip."""
        return SHORT_STATE_LABELS[self]


SHORT_STATE_LABELS = {
    NotificationState.NONE: _("No email"),
    NotificationState.QUEUED: _("Queued"),
    NotificationState.RETRYING: _("Retrying"),
    NotificationState.DELIVERED: _("Delivered"),
    NotificationState.FAILED: _("Failed"),
    NotificationState.UNKNOWN: _("No record"),
}


def delivery_states(message_ids: Iterable[str]) -> dict[str, NotificationState]:
    """The delivery state of each Message-ID, in two queries.

    The log says what was delivered or refused; the queue says what is still
    waiting (and whether its last attempt failed). The queue keeps messages
    pickled, so it is read once and decoded here; it holds only what is not
    yet delivered, which is normally a handful of rows.
    """
    wanted = {mid for mid in message_ids if mid}
    states = dict.fromkeys(wanted, NotificationState.UNKNOWN)
    if not wanted:
        return states
    for result, message_id in MessageLog.objects.filter(
        message_id__in=wanted
    ).values_list("result", "message_id"):
        if result == RESULT_SUCCESS:
            states[message_id] = NotificationState.DELIVERED
        elif states[message_id] != NotificationState.DELIVERED:
            states[message_id] = NotificationState.FAILED
    if all(state == NotificationState.DELIVERED for state in states.values()):
        return states  # the usual case: nothing left to look for in the queue
    for data, priority in Message.objects.values_list("message_data", "priority"):
        email = db_to_email(data)
        message_id = get_message_id(email) if email is not None else None
        if message_id in wanted and states[message_id] != NotificationState.DELIVERED:
            states[message_id] = (
                NotificationState.RETRYING
                if priority == PRIORITY_DEFERRED
                else NotificationState.QUEUED
            )
    return states


def staff_notification_states(requests) -> dict[int, NotificationState]:
    """{request pk: state} for the staff email of each request (no per-row query)."""
    rows = [(r.pk, r.staff_notification_id) for r in requests]
    states = delivery_states(mid for _pk, mid in rows)
    return {pk: states.get(mid, NotificationState.NONE) for pk, mid in rows}


def staff_notification_state(consultation_request) -> NotificationState:
    return staff_notification_states([consultation_request])[consultation_request.pk]
