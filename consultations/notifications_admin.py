"""Whether the staff email about a request went out, for the admin.

The request stores the Message-ID of its staff notification; django-mailer
logs each delivery attempt under that id.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from mailer.models import RESULT_FAILURE, RESULT_SUCCESS, MessageLog


class NotificationState(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Not delivered yet: the last attempt failed; retrying")
    QUEUED = "queued", _("Queued for the mail worker")
    NONE = "none", _("No staff email recorded")


def notification_state(consultation_request) -> NotificationState:
    message_id = consultation_request.staff_notification_id
    if not message_id:
        return NotificationState.NONE
    results = set(
        MessageLog.objects.filter(message_id=message_id).values_list(
            "result", flat=True
        )
    )
    if RESULT_SUCCESS in results:
        return NotificationState.DELIVERED
    if RESULT_FAILURE in results:
        return NotificationState.RETRYING
    return NotificationState.QUEUED
