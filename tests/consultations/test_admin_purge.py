"""Retention: purge_personal_data on data aged 0 to 400 days."""

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as LoginLog
from django.core.management import CommandError, call_command
from django.utils import timezone
from mailer.models import RESULT_FAILURE, RESULT_SUCCESS, MessageLog

from consultations.models import CallAttempt, ConsultationRequest, Status
from locations.models import WaitlistEntry
from tests.consultations.helpers import attempt
from tests.factories import ConsultationRequestFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db

AGES = [0, 1, 29, 31, 90, 180, 364, 366, 400]
PERSONAL = [
    "first_name",
    "last_name",
    "phone",
    "email",
    "message",
    "heard_about",
    "internal_notes",
    "self_harm_answer",
    "ip_hash",
]


def days_ago(days):
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def aged_data(oakland):
    """For each age: an open and a closed request, a waitlist entry, mail and login logs."""
    made = {}
    for days in AGES:
        closed = ConsultationRequestFactory(
            location=oakland,
            status=Status.CONTACTING,
            heard_about="A friend",
            self_harm_answer="no",
            ip_hash="ab" * 32,
            internal_notes="Prefers mornings",
            urgent=True,
        )
        attempt(closed, "no_answer", note="Left voicemail for Robin")
        closed.status = Status.NOT_SUITABLE  # a change, so history has two copies
        closed.save()
        still_open = ConsultationRequestFactory(location=oakland)
        ConsultationRequest.objects.filter(pk__in=[closed.pk, still_open.pk]).update(
            created_at=days_ago(days + 1)
        )
        ConsultationRequest.objects.filter(pk=closed.pk).update(
            closed_at=days_ago(days)
        )
        entry = WaitlistEntry.objects.create(
            location=oakland,
            name=f"Waiting {days}",
            email=f"wait{days}@example.org",
            preferred_contact="email",
            consent_text_version="2026-01",
            consented_at=days_ago(days + 10),
            notified_at=days_ago(days),
        )
        for result in (RESULT_SUCCESS, RESULT_FAILURE):
            MessageLog.objects.create(
                message_data="",
                when_added=days_ago(days),
                when_attempted=days_ago(days),
                priority=2,
                result=result,
                log_message="",
            )
        for model in (AccessAttempt, AccessFailureLog, LoginLog):
            extra = {"get_data": "", "post_data": "", "failures_since_start": 1}
            row = model.objects.create(
                username=f"user{days}",
                user_agent="test",
                ip_address="127.0.0.1",
                http_accept="*/*",
                path_info="/staff-admin/login/",
                **(extra if model is AccessAttempt else {}),
            )
            model.objects.filter(pk=row.pk).update(attempt_time=days_ago(days))
        made[days] = (closed, still_open, entry)
    return made


def run(*args):
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return dict(pair.split("=") for pair in out.getvalue().split())


def test_purge_erases_only_what_is_past_retention_and_runs_twice_safely(aged_data):
    counts = run()

    assert counts == {
        "requests": "2",  # closed 366 and 400 days ago
        "unclosed_requests": "0",  # open ones, at most 401 days untouched
        "request_history_rows": "4",
        "call_notes": "2",
        "waitlist_entries": "2",
        "untold_waitlist_entries": "0",
        "expired_sessions": "0",
        "mail_log_copies": "0",
        "mail_log_rows": "6",  # delivered, older than 30 days: 31…400
        "login_attempts": "18",  # 6 ages over 30 days × 3 tables
    }
    for days, (closed, still_open, _entry) in aged_data.items():
        closed.refresh_from_db()
        still_open.refresh_from_db()
        history = list(closed.history.all())
        notes = list(
            CallAttempt.objects.filter(request=closed).values_list("note", flat=True)
        ) + list(
            CallAttempt.history.filter(request_id=closed.pk).values_list(
                "note", flat=True
            )
        )
        if days > 365:
            for copy in [closed, *history]:
                assert all(getattr(copy, name) in ("", None) for name in PERSONAL), (
                    days,
                    copy,
                )
            assert set(notes) == {""}
            assert closed.personal_data_purged_at is not None
            # What reporting needs stays.
            assert closed.status == Status.NOT_SUITABLE
            assert closed.urgent and closed.interest == "depression"
            assert closed.location_id and closed.created_at and closed.closed_at
            assert CallAttempt.objects.filter(request=closed).count() == 1
        else:
            assert closed.first_name and closed.phone and closed.internal_notes
            assert all(copy.first_name for copy in history)
            assert "Left voicemail for Robin" in notes
            assert closed.personal_data_purged_at is None
        # An open request is purged only once untouched for
        # UNCLOSED_RECORD_RETENTION_DAYS (730): none here.
        assert still_open.first_name and still_open.personal_data_purged_at is None

    remaining = sorted(
        (timezone.now() - e.notified_at).days for e in WaitlistEntry.objects.all()
    )
    assert remaining == [0, 1, 29, 31, 90, 180, 364]
    assert MessageLog.objects.filter(result=RESULT_SUCCESS).count() == 3
    assert MessageLog.objects.filter(result=RESULT_FAILURE).count() == len(AGES)
    for model in (AccessAttempt, AccessFailureLog, LoginLog):
        assert model.objects.count() == 3  # 0, 1 and 29 days old
    assert ConsultationRequest.objects.count() == 2 * len(AGES)

    assert set(run().values()) == {"0"}


def test_days_option(aged_data):
    counts = run("--days", "30")
    assert counts["requests"] == "6"  # closed 31 days ago or more
    with pytest.raises(CommandError):
        run("--days", "0")


def test_requests_and_waitlist_entries_nobody_closed_are_erased_after_the_rule(
    oakland, settings
):
    settings.UNCLOSED_RECORD_RETENTION_DAYS = 100
    forgotten = ConsultationRequestFactory(location=oakland)
    worked_on = ConsultationRequestFactory(location=oakland)
    attempt(worked_on, "no_answer")  # a call logged within the period
    ConsultationRequest.objects.update(created_at=days_ago(200))
    CallAttempt.objects.update(at=days_ago(50))
    ConsultationRequest.history.update(history_date=days_ago(200))
    untold = WaitlistEntryFactory(location=oakland)
    recent = WaitlistEntryFactory(location=oakland)
    WaitlistEntry.objects.filter(pk=untold.pk).update(created_at=days_ago(101))

    counts = run()

    assert counts["unclosed_requests"] == "1"
    assert counts["untold_waitlist_entries"] == "1"
    forgotten.refresh_from_db()
    worked_on.refresh_from_db()
    assert forgotten.first_name == "" and forgotten.phone == ""
    assert forgotten.personal_data_purged_at is not None
    assert all(copy.first_name == "" for copy in forgotten.history.all())
    assert worked_on.first_name and worked_on.personal_data_purged_at is None
    assert list(WaitlistEntry.objects.all()) == [recent]
    assert set(run().values()) == {"0"}


def test_expired_sessions_and_whole_emails_in_the_mail_log_are_cleared(db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    old, live = SessionStore(), SessionStore()
    for session in (old, live):
        session["consultation_thanks"] = {"reference": "ABCD2345"}
        session.save()
    Session.objects.filter(session_key=old.session_key).update(expire_date=days_ago(1))
    MessageLog.objects.create(
        message_data="a whole email to jane@example.org",
        when_added=days_ago(1),
        priority=2,
        result=RESULT_SUCCESS,
        log_message="",
    )

    counts = run()

    assert counts["expired_sessions"] == "1"
    assert list(Session.objects.values_list("session_key", flat=True)) == [
        live.session_key
    ]
    assert counts["mail_log_copies"] == "1"
    assert MessageLog.objects.get().message_data is None


def test_the_mail_log_no_longer_keeps_a_copy_of_each_email(db, mailoutbox):
    from django.core.mail import send_mail
    from mailer import engine

    send_mail("Subject", "Body for jane", None, ["jane@example.org"])
    engine.send_all()
    entry = MessageLog.objects.get()
    assert entry.result == RESULT_SUCCESS and entry.message_id
    assert entry.message_data is None
