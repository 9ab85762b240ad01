"""The delivery side of the mail queue: what the mail worker uses.

Web processes only ever write to the queue (see emails.py); the worker
(``manage.py mailworker``) delivers it with django-mailer, through the journal
below, retrying failures with back-off and handling errors without logging
any address.
"""

import hashlib
import logging
import smtplib
import socket

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone
from mailer.engine import ensure_message_id
from mailer.models import (
    PRIORITY_MEDIUM,
    RESULT_FAILURE,
    Message,
    MessageLog,
    get_message_id,
)

logger = logging.getLogger(__name__)


def defer_without_details(connection, message, exc):
    """django-mailer error handler: defer the message and log only the error type.

    The stock handler logs the exception text, which for SMTP refusals names
    the recipient; a patient's address must never reach the logs. After
    MAILER_MAX_ATTEMPTS failed attempts the message is given up (see
    ``give_up``) instead of being retried forever.
    """
    error = type(exc).__name__
    if isinstance(exc, (smtplib.SMTPException, socket.error, OSError)):
        connection = None  # force a fresh connection on the next message
    attempts = message.retry_count + 1
    if attempts >= settings.MAILER_MAX_ATTEMPTS:
        give_up(message, error=error, attempts=attempts)
        return connection, "deferred"
    # when_added doubles as "last tried": retry back-off counts from the failure.
    message.when_added = timezone.now()
    message.defer()
    logger.warning("mail delivery deferred: %s", error)
    return connection, "deferred"


def give_up(message, *, error: str, attempts: int) -> None:
    """Stop retrying: a failure row in the mail log, the message off the queue.

    The log row (django-mailer's MessageLog, in the admin) names only the
    error type, never the server's reply, which may quote an address; the
    staff-notification state then reads "failed" for the request.
    """
    MessageLog.objects.log(
        message,
        RESULT_FAILURE,
        log_message=f"gave up after {attempts} attempts: {error}",
    )
    message.delete()
    logger.error("mail delivery given up after %d attempts: %s", attempts, error)


def retry_due_deferred(now=None):
    """Requeue deferred messages whose back-off has passed. Returns how many.

    A message is retried CLINIC_MAIL_RETRY_BASE_SECONDS × 2^retries after its last
    failure (capped at CLINIC_MAIL_RETRY_MAX_SECONDS), so a mail server that stays
    down is not hammered.
    """
    now = now or timezone.now()
    due = []
    for pk, retries, added in Message.objects.deferred().values_list(
        "pk", "retry_count", "when_added"
    ):
        wait = min(
            settings.CLINIC_MAIL_RETRY_BASE_SECONDS * 2**retries,
            settings.CLINIC_MAIL_RETRY_MAX_SECONDS,
        )
        if (now - added).total_seconds() >= wait:
            due.append(pk)
    return Message.objects.filter(pk__in=due).update(
        priority=PRIORITY_MEDIUM, retry_count=F("retry_count") + 1
    )


JOURNAL_SECONDS = 14 * 24 * 3600


def _journal_key(message):
    # django-mailer gives a message its Message-ID before it reaches a backend
    # (engine.ensure_message_id); doing the same here keeps a direct caller
    # safe too: messages without one must never share a single journal entry.
    ensure_message_id(message)
    return "mail-sent:" + hashlib.sha256(get_message_id(message).encode()).hexdigest()


class JournaledBackend:
    """Delivers through CLINIC_MAIL_TRANSPORT, at most once per Message-ID.

    Why it exists: django-mailer sends a message, then deletes it from the
    queue in the same database transaction. A worker killed (or a database
    lost) in between rolls the deletion back, and the message would go out a
    second time; for a clinic, a second "URGENT" email or a second patient
    acknowledgement is confusing. The journal is written the moment the
    transport accepts a message, outside that transaction, and checked before
    every send (the worker-kill drill in bench/drills shows it stopping the
    duplicate).

    What it does not promise: it lives in the cache (Redis), which production
    may run without persistence, so a Redis restart forgets it and the worst
    case is the duplicate it was meant to prevent, never a lost email. If the
    cache is unreachable, mail still goes out. Every email the site sends is
    given its Message-ID when it is queued (core.emails), so the journal
    covers all of it. A message queued by hand without one gets a fresh
    Message-ID at each attempt (django-mailer), so the journal cannot
    recognise its retry: the worst case is again a duplicate, never a loss.
    In development and tests the transport is used directly.
    """

    def __init__(self, fail_silently=False, **kwargs):
        self.transport = get_connection(
            settings.CLINIC_MAIL_TRANSPORT, fail_silently=fail_silently, **kwargs
        )

    def open(self):
        return self.transport.open()

    def close(self):
        return self.transport.close()

    def send_messages(self, messages):
        delivered = 0
        for message in messages:
            key = _journal_key(message)
            if self._seen(key):
                logger.warning("mail already delivered before a restart; not resent")
                delivered += 1
                continue
            delivered += self.transport.send_messages([message]) or 0
            self._remember(key)
        return delivered

    def _seen(self, key):
        try:
            return cache.get(key) is not None
        except Exception as exc:  # noqa: BLE001 - never block delivery on the journal
            logger.warning("mail journal unreadable: %s", type(exc).__name__)
            return False

    def _remember(self, key):
        try:
            cache.set(key, 1, JOURNAL_SECONDS)
        except Exception as exc:  # noqa: BLE001 - delivered anyway; worst case a duplicate
            logger.warning("mail journal not written: %s", type(exc).__name__)
