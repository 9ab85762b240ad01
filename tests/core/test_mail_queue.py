import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from mailer import engine
from mailer.models import PRIORITY_DEFERRED, Message

from core.delivery import retry_due_deferred

pytestmark = pytest.mark.django_db


def test_sending_mail_only_queues_it(mailoutbox):
    mail.send_mail("Subject", "Body", None, ["staff@example.org"])
    assert Message.objects.count() == 1
    assert mailoutbox == []
    engine.send_all()
    assert [m.to for m in mailoutbox] == [["staff@example.org"]]
    assert Message.objects.count() == 0


def test_queued_mail_rolls_back_with_its_transaction(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send_mail("Subject", "Body", None, ["staff@example.org"])
        raise RuntimeError
    assert Message.objects.count() == 0


class _BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("down for jane@example.org")

    def open(self):
        pass

    def close(self):
        pass


def test_failed_delivery_is_deferred_not_lost_and_logs_no_address(
    settings, caplog, mailoutbox
):
    settings.MAILER_EMAIL_BACKEND = "tests.core.test_mail_queue._BrokenBackend"
    mail.send_mail("Subject", "Body", None, ["jane@example.org"])
    engine.send_all()
    message = Message.objects.get()
    assert message.priority == PRIORITY_DEFERRED
    assert "jane@example.org" not in caplog.text
    assert "SMTPServerDisconnected" in caplog.text


def test_deferred_mail_is_retried_with_doubling_back_off(settings):
    settings.CLINIC_MAIL_RETRY_BASE_SECONDS = 60
    mail.send_mail("Subject", "Body", None, ["staff@example.org"])
    message = Message.objects.get()
    failed_at = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        priority=PRIORITY_DEFERRED, when_added=failed_at
    )
    assert retry_due_deferred(now=failed_at + dt.timedelta(seconds=59)) == 0
    assert retry_due_deferred(now=failed_at + dt.timedelta(seconds=61)) == 1
    message.refresh_from_db()
    assert message.retry_count == 1
    # Second failure: the next wait is twice as long.
    Message.objects.filter(pk=message.pk).update(priority=PRIORITY_DEFERRED)
    assert retry_due_deferred(now=failed_at + dt.timedelta(seconds=119)) == 0
    assert retry_due_deferred(now=failed_at + dt.timedelta(seconds=121)) == 1


def test_mailworker_once_delivers_the_queue(mailoutbox):
    mail.send_mail("Subject", "Body", None, ["staff@example.org"])
    call_command("mailworker", "--once")
    assert len(mailoutbox) == 1
    assert Message.objects.count() == 0


class _RefusingBackend(_BrokenBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {"jane@example.org": (550, b"no such user")}
        )


def test_mail_that_can_never_be_delivered_is_given_up_after_max_attempts(
    settings, caplog, mailoutbox
):
    from mailer.models import RESULT_FAILURE, MessageLog

    settings.MAILER_EMAIL_BACKEND = "tests.core.test_mail_queue._RefusingBackend"
    settings.MAILER_MAX_ATTEMPTS = 3
    mail.send_mail("Subject", "Body", None, ["jane@example.org"])
    far_future = timezone.now() + dt.timedelta(days=30)
    for _attempt in range(3):
        engine.send_all()
        retry_due_deferred(now=far_future)

    assert not Message.objects.exists()  # no longer retried
    entry = MessageLog.objects.get()
    assert entry.result == RESULT_FAILURE
    assert entry.log_message == "gave up after 3 attempts: SMTPRecipientsRefused"
    assert "jane@example.org" not in caplog.text
    assert "given up after 3 attempts" in caplog.text
