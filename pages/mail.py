"""Mail queue helpers shared by every app that emails."""

import logging
import smtplib
import socket

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from mailer.models import PRIORITY_MEDIUM, Message

logger = logging.getLogger(__name__)


def defer_without_details(connection, message, exc):
    """django-mailer error handler: defer the message and log only the error type.

    The stock handler logs the exception text, which for SMTP refusals names
    the recipient; a patient's address must never reach the logs.
    """
    # when_added doubles as "last tried": retry back-off counts from the failure.
    message.when_added = timezone.now()
    message.defer()
    logger.warning("mail delivery deferred: %s", type(exc).__name__)
    if isinstance(exc, (smtplib.SMTPException, socket.error, OSError)):
        connection = None  # force a fresh connection on the next message
    return connection, "deferred"


def retry_due_deferred(now=None):
    """Requeue deferred messages whose back-off has passed. Returns how many.

    A message is retried MAILER_RETRY_BASE_SECONDS × 2^retries after its last
    failure (capped at MAILER_RETRY_MAX_SECONDS), so a mail server that stays
    down is not hammered.
    """
    now = now or timezone.now()
    due = []
    for pk, retries, added in Message.objects.deferred().values_list(
        "pk", "retry_count", "when_added"
    ):
        wait = min(
            settings.MAILER_RETRY_BASE_SECONDS * 2**retries,
            settings.MAILER_RETRY_MAX_SECONDS,
        )
        if (now - added).total_seconds() >= wait:
            due.append(pk)
    return Message.objects.filter(pk__in=due).update(
        priority=PRIORITY_MEDIUM, retry_count=F("retry_count") + 1
    )
