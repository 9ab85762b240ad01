from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError

from pages.management.commands import mailworker

pytestmark = pytest.mark.django_db


def test_worker_outlives_a_database_outage_and_then_delivers(mailoutbox, settings):
    settings.MAILER_EMPTY_QUEUE_SLEEP = 0
    mail.send_mail("Subject", "Body", None, ["staff@example.org"])
    real_retry = mailworker.retry_due_deferred
    rounds = []

    def flaky_retry():
        rounds.append(1)
        if len(rounds) <= 2:
            raise OperationalError("server closed the connection unexpectedly")
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


def test_production_mail_worker_uses_no_lock_file():
    # A lock file outlives a worker killed with SIGKILL, and every later worker
    # then quits without sending (fault drill 4). Rows are locked instead.
    from clinic_site.settings import base

    assert base.MAILER_USE_FILE_LOCK is False
