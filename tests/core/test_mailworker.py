from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import InterfaceError, OperationalError

from core.management.commands import mailworker
from tests.prod_settings import prod_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    ],
    ids=["operational", "interface"],
)
def test_worker_outlives_a_database_outage_and_then_delivers(
    mailoutbox, settings, failure
):
    settings.MAILER_EMPTY_QUEUE_SLEEP = 0
    mail.send_mail("Subject", "Body", None, ["staff@example.org"])
    real_retry = mailworker.retry_due_deferred
    rounds = []

    def flaky_retry():
        rounds.append(1)
        if len(rounds) <= 2:
            raise failure
        return real_retry()

    def stop_after_delivery(seconds):
        if mailoutbox or len(rounds) > 10:
            raise KeyboardInterrupt

    with (
        mock.patch.object(mailworker, "retry_due_deferred", flaky_retry),
        mock.patch.object(mailworker.time, "sleep", stop_after_delivery),
        mock.patch.object(mailworker.connection, "close"),
        pytest.raises(KeyboardInterrupt),
    ):
        call_command("mailworker")

    assert len(rounds) == 3
    assert [m.to for m in mailoutbox] == [["staff@example.org"]]


def test_worker_once_reports_a_database_outage(settings):
    with (
        mock.patch.object(
            mailworker, "retry_due_deferred", side_effect=OperationalError("down")
        ),
        pytest.raises(OperationalError),
    ):
        call_command("mailworker", "--once")


@pytest.fixture
def stale_lock_file(tmp_path, monkeypatch):
    """The lock file a worker killed with SIGKILL leaves behind (django-mailer
    writes ``send_mail.lock`` in the working directory and never removes it)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "send_mail.lock").write_text("")


@pytest.mark.parametrize("file_lock", ["production", True], ids=["prod", "file-lock"])
def test_a_killed_workers_lock_file_does_not_stop_delivery(
    settings, mailoutbox, stale_lock_file, file_lock
):
    from mailer import engine
    from mailer.models import Message

    if file_lock == "production":
        file_lock = prod_settings("MAILER_USE_FILE_LOCK")["MAILER_USE_FILE_LOCK"]
    settings.MAILER_USE_FILE_LOCK = file_lock
    _queue_one()

    engine.send_all()  # the restarted worker (fault drill 4)

    # With django-mailer's file lock, nothing is ever sent again; the
    # production settings lock each row in the database instead.
    sent = 0 if file_lock else 1
    assert len(mailoutbox) == sent
    assert Message.objects.count() == 1 - sent


def _crash_after_delivery():
    # BaseException, like SIGKILL for our purpose: django-mailer's error
    # handling does not catch it, so the send's transaction is rolled back
    # after the transport has already accepted the message.
    return mock.patch(
        "mailer.engine.MessageLog.objects.log", side_effect=KeyboardInterrupt
    )


def _queue_one():
    from django.core.mail import EmailMessage

    EmailMessage(
        "New request", "Body", None, ["staff@example.org"],
        headers={"Message-ID": "<ref-ABC-staff@clinic.example>"},
    ).send()  # fmt: skip


@pytest.mark.parametrize("journal", [True, False], ids=["journal", "no-journal"])
def test_a_worker_dying_after_delivery_does_not_send_twice(
    settings, mailoutbox, journal
):
    from mailer import engine
    from mailer.models import Message

    locmem = "django.core.mail.backends.locmem.EmailBackend"
    settings.CLINIC_MAIL_TRANSPORT = locmem
    settings.MAILER_EMAIL_BACKEND = (
        "core.delivery.JournaledBackend" if journal else locmem
    )
    _queue_one()
    with _crash_after_delivery(), pytest.raises(KeyboardInterrupt):
        engine.send_all()
    assert Message.objects.count() == 1  # the queue row came back

    engine.send_all()  # the restarted worker

    assert Message.objects.count() == 0
    # Without the journal the same email goes out twice: that is what it is for.
    assert len(mailoutbox) == (1 if journal else 2)


def test_mail_still_goes_out_when_the_journal_is_unreachable(settings, mailoutbox):
    from mailer import engine

    settings.CLINIC_MAIL_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAILER_EMAIL_BACKEND = "core.delivery.JournaledBackend"
    _queue_one()
    with (
        mock.patch("core.delivery.cache.get", side_effect=ConnectionError),
        mock.patch("core.delivery.cache.set", side_effect=ConnectionError),
    ):
        engine.send_all()
    assert len(mailoutbox) == 1


def test_messages_queued_without_a_message_id_are_each_delivered(settings, mailoutbox):
    # Every email the site sends has a Message-ID from core.emails; one queued
    # by hand (a shell, a third-party app) has none. Such messages must never
    # share one journal entry, or only the first would ever be delivered.
    from django.core.mail import EmailMessage
    from mailer import engine

    settings.CLINIC_MAIL_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAILER_EMAIL_BACKEND = "core.delivery.JournaledBackend"
    EmailMessage("First", "Body", None, ["staff@example.org"]).send()
    EmailMessage("Second", "Body", None, ["staff@example.org"]).send()

    engine.send_all()

    assert sorted(m.subject for m in mailoutbox) == ["First", "Second"]


def test_the_journal_called_directly_never_merges_messages_without_an_id(
    settings, mailoutbox
):
    from django.core.mail import EmailMessage

    from core.delivery import JournaledBackend

    settings.CLINIC_MAIL_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"
    messages = [
        EmailMessage(subject, "Body", None, ["staff@example.org"])
        for subject in ("First", "Second")
    ]
    assert JournaledBackend().send_messages(messages) == 2
    assert [m.subject for m in mailoutbox] == ["First", "Second"]
    ids = {m.extra_headers["Message-ID"] for m in messages}
    assert len(ids) == 2
