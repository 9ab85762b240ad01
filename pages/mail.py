"""Mail queue helpers shared by every app that emails."""

import hashlib
import logging
import smtplib
import socket

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
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


JOURNAL_SECONDS = 14 * 24 * 3600


def _journal_key(message):
    message_id = (message.extra_headers or {}).get("Message-ID", "").strip()
    if not message_id:
        return None
    return "mail-sent:" + hashlib.sha256(message_id.encode()).hexdigest()


class JournaledBackend:
    """Delivers through MAILER_DELIVERY_BACKEND, at most once per Message-ID.

    django-mailer sends a message, then deletes it from the queue in the same
    database transaction. A worker killed (or a database lost) in between
    rolls the deletion back, and the message would go out a second time. The
    journal is written the moment the transport accepts a message, outside
    that transaction, and checked before every send. If the cache is
    unreachable, mail still goes out: a rare duplicate beats a lost message.
    """

    def __init__(self, fail_silently=False, **kwargs):
        self.transport = get_connection(
            settings.MAILER_DELIVERY_BACKEND, fail_silently=fail_silently, **kwargs
        )

    def open(self):
        return self.transport.open()

    def close(self):
        return self.transport.close()

    def send_messages(self, messages):
        delivered = 0
        for message in messages:
            key = _journal_key(message)
            if key and self._seen(key):
                logger.warning("mail already delivered before a restart; not resent")
                delivered += 1
                continue
            delivered += self.transport.send_messages([message]) or 0
            if key:
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
