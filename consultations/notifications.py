"""Did the staff email about a request go out? One answer for every screen.

The request stores the Message-ID of its staff notification (given when it
was queued); django-mailer keeps undelivered mail in its queue and logs each
delivery attempt under that id. The admin's list column and change view both
ask ``staff_notification_states``.
"""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _
from mailer.models import (
    PRIORITY_DEFERRED,
    RESULT_SUCCESS,
    Message,
    MessageLog,
    db_to_email,
    get_message_id,
)


class NotificationState(models.TextChoices):
    NONE = "none", _("No staff email")
    QUEUED = "queued", _("Queued for the mail worker")
    RETRYING = "retrying", _("Not delivered yet: the last attempt failed; retrying")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed: the mail server would not take it")
    UNKNOWN = "unknown", _("No record (the mail log was purged)")


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
