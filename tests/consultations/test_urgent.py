"""Urgent requests reach a person: on-call routing, acknowledgement, re-alert."""

import datetime as dt
import io
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from mailer.models import Message

from consultations.models import ConsultationRequest, Status
from consultations.services import alerts
from consultations.services.alerts import (
    urgent_request_acknowledge,
    urgent_requests_realert,
)
from consultations.services.intake import consultation_request_create
from tests.consultations.admin_forms import change_data
from tests.factories import ConsultationRequestFactory, LocationFactory, make_staff

pytestmark = pytest.mark.django_db

ESCALATION = "clinical-lead@clinic.example"
ON_CALL = ["harbor-on-call@clinic.example", "harbor-nurse@clinic.example"]
STAFF = ["harbor-desk@clinic.example", "harbor-lead@clinic.example"]
THANKS = reverse("consultations:thanks")


def queued():
    return [message.email for message in Message.objects.order_by("pk")]


def full_text(email):
    return "\n".join([email.subject, email.body, *(b for b, _ in email.alternatives)])


def change_url(req):
    return reverse("admin:consultations_consultationrequest_change", args=[req.pk])


def ack_url(req):
    return reverse("admin:consultations_consultationrequest_acknowledge", args=[req.pk])


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.URGENT_ACK_MINUTES = 15
    settings.URGENT_ESCALATION_MINUTES = 15
    settings.CLINIC_ESCALATION_EMAIL = [ESCALATION]


@pytest.fixture
def location(db):
    return LocationFactory(
        slug="harbor", name="Harbor", on_call_emails="\n".join(ON_CALL)
    )


@pytest.fixture
def urgent(service_kwargs):
    return consultation_request_create(**{**service_kwargs, "self_harm_answer": "yes"})


def later(req, minutes, seconds=0):
    return req.created_at + dt.timedelta(minutes=minutes, seconds=seconds)


# Routing


def test_an_urgent_request_goes_to_staff_and_on_call_in_one_email(urgent):
    staff_alert, patient = queued()
    assert staff_alert.to == STAFF + ON_CALL
    assert staff_alert.subject.startswith("URGENT")
    assert staff_alert.extra_headers["Message-ID"] == urgent.staff_notification_id
    assert patient.to == ["marisol@patient.example"]


def test_a_routine_request_goes_to_the_staff_addresses_only(service_kwargs):
    consultation_request_create(**service_kwargs)
    assert queued()[0].to == STAFF


def test_alerts_carry_no_patient_details(urgent):
    urgent_requests_realert(now=later(urgent, 15))
    urgent_requests_realert(now=later(urgent, 30))
    alerts_sent = [e for e in queued() if e.to != ["marisol@patient.example"]]
    assert len(alerts_sent) == 3
    for email in alerts_sent:
        text = full_text(email)
        assert urgent.reference in text
        assert change_url(urgent) in text
        for detail in [
            "Marisol",
            "Quintero",
            "555",
            "0142",
            "marisol@",
            "Panic attacks",
            "anxiety",
            "therapist",
            "self-harm",
        ]:
            assert detail not in text, (email.subject, detail)


def test_the_staff_email_of_an_urgent_request_promises_no_business_day(urgent):
    text = full_text(queued()[0])
    assert "business day" not in text
    assert "Acknowledge" in text


# Acknowledgement


def test_opening_an_urgent_request_is_not_acknowledging_it(desk_client, oakland):
    req = ConsultationRequestFactory(location=oakland, urgent=True)
    html = desk_client.get(change_url(req)).content.decode()
    req.refresh_from_db()
    assert req.acknowledged_at is None
    assert 'id="urgent-banner"' in html
    assert "URGENT: NOT acknowledged yet" in html
    assert f'action="{ack_url(req)}"' in html


def test_one_button_acknowledges_and_the_page_says_who_and_when(
    desk_client, front_desk, oakland
):
    req = ConsultationRequestFactory(location=oakland, urgent=True)
    response = desk_client.post(ack_url(req))
    assert response.status_code == 302
    assert response["Location"] == change_url(req)
    req.refresh_from_db()
    assert req.acknowledged_by == front_desk
    assert timezone.now() - req.acknowledged_at < dt.timedelta(seconds=10)
    latest = req.history.latest()
    assert latest.history_user == front_desk
    assert latest.history_change_reason == "Acknowledged as urgent"

    html = desk_client.get(change_url(req)).content.decode()
    assert "URGENT: acknowledged" in html
    local = timezone.localtime(req.acknowledged_at, oakland.zone)
    assert f"Acknowledged by {front_desk.get_full_name() or 'Dana'}" in html
    assert f"{local:%Y}" in html and local.tzname() in html
    assert f'action="{ack_url(req)}"' not in html


def test_a_second_acknowledgement_keeps_the_first(desk_client, oakland, front_desk):
    req = ConsultationRequestFactory(location=oakland, urgent=True)
    other = make_staff("desk-two", locations=[oakland])
    first_at = timezone.now() - dt.timedelta(minutes=3)
    assert urgent_request_acknowledge(consultation_request=req, by=other, now=first_at)
    assert not urgent_request_acknowledge(consultation_request=req, by=front_desk)
    req.refresh_from_db()
    assert (req.acknowledged_by, req.acknowledged_at) == (other, first_at)


def test_acknowledge_is_post_only_and_scoped_to_the_location(
    desk_client, oakland, portland
):
    mine = ConsultationRequestFactory(location=oakland, urgent=True)
    theirs = ConsultationRequestFactory(location=portland, urgent=True)
    assert desk_client.get(ack_url(mine)).status_code == 405
    assert desk_client.post(ack_url(theirs)).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.acknowledged_at is None and theirs.acknowledged_at is None


def test_saving_a_stale_change_form_does_not_undo_an_acknowledgement(
    desk_client, oakland, front_desk
):
    req = ConsultationRequestFactory(location=oakland, urgent=True)
    data = change_data(req, internal_notes="Tried once.")
    # Someone acknowledges (and an alert goes out) while the form is open.
    urgent_request_acknowledge(consultation_request=req, by=front_desk)
    ConsultationRequest.objects.filter(pk=req.pk).update(realerted_at=timezone.now())
    response = desk_client.post(change_url(req), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    req.refresh_from_db()
    assert req.internal_notes == "Tried once."
    assert req.acknowledged_at is not None
    assert req.realerted_at is not None


# Re-alert and escalation, with the clock moved forward


def test_the_on_call_list_is_alerted_again_after_15_minutes_then_escalation(urgent):
    """Measured: the reminder goes at +15:00 (not at 14:59), the escalation at
    +30:00 (15 minutes after the reminder; not at 29:59)."""
    before = len(queued())
    assert urgent_requests_realert(now=later(urgent, 14, 59)).reminders == 0
    assert len(queued()) == before

    result = urgent_requests_realert(now=later(urgent, 15))
    assert (result.reminders, result.escalations) == (1, 0)
    reminder = queued()[-1]
    assert reminder.to == ON_CALL
    assert reminder.subject.startswith("STILL URGENT")
    urgent.refresh_from_db()
    assert urgent.realerted_at == later(urgent, 15)

    assert urgent_requests_realert(now=later(urgent, 29, 59)) == alerts.RealertResult()
    result = urgent_requests_realert(now=later(urgent, 30))
    assert (result.reminders, result.escalations) == (0, 1)
    escalation = queued()[-1]
    assert escalation.to == [ESCALATION]
    assert escalation.subject.startswith("ESCALATED")
    urgent.refresh_from_db()
    assert urgent.escalated_at == later(urgent, 30)

    # Every later run: nothing more.
    assert urgent_requests_realert(now=later(urgent, 600)) == alerts.RealertResult()
    assert len(queued()) == before + 2


def test_the_intervals_come_from_settings(urgent, settings):
    settings.URGENT_ACK_MINUTES = 5
    settings.URGENT_ESCALATION_MINUTES = 10
    assert urgent_requests_realert(now=later(urgent, 5)).reminders == 1
    assert urgent_requests_realert(now=later(urgent, 14)).escalations == 0
    assert urgent_requests_realert(now=later(urgent, 15)).escalations == 1


def test_no_re_alert_after_acknowledgement(urgent, front_desk):
    urgent_request_acknowledge(
        consultation_request=urgent, by=front_desk, now=later(urgent, 5)
    )
    before = len(queued())
    for minutes in (15, 30, 120):
        assert urgent_requests_realert(now=later(urgent, minutes)) == (
            alerts.RealertResult()
        )
    assert len(queued()) == before


def test_acknowledging_after_the_reminder_stops_the_escalation(urgent, front_desk):
    urgent_requests_realert(now=later(urgent, 15))
    urgent_request_acknowledge(
        consultation_request=urgent, by=front_desk, now=later(urgent, 20)
    )
    assert urgent_requests_realert(now=later(urgent, 45)).escalations == 0
    assert ESCALATION not in [a for e in queued() for a in e.to]


def test_a_closed_or_routine_request_is_never_re_alerted(service_kwargs, urgent):
    routine = consultation_request_create(
        **{
            **service_kwargs,
            "phone": "+15105550177",
            "email": "",
            "submission_token": "t2",
        }
    )
    ConsultationRequest.objects.filter(pk=urgent.pk).update(status=Status.SPAM)
    assert urgent_requests_realert(now=later(routine, 120)) == alerts.RealertResult()


def test_a_location_without_an_on_call_list_reminds_its_staff(service_kwargs):
    bare = LocationFactory(slug="bare")
    req = consultation_request_create(
        **{**service_kwargs, "location": bare, "self_harm_answer": "yes"}
    )
    assert queued()[0].to == bare.notification_email_list
    urgent_requests_realert(now=later(req, 15))
    assert queued()[-1].to == bare.notification_email_list


def test_a_run_that_lost_the_race_sends_nothing(urgent):
    """Two runs that both saw the request as due: only the first claim sends."""
    now = later(urgent, 15)
    claim = ({"realerted_at__isnull": True}, "realerted_at", alerts.StaffAlert.REMINDER)
    before = len(queued())
    assert alerts._claim_and_send(urgent.pk, claim[0], claim[1], claim[2], now)
    assert not alerts._claim_and_send(urgent.pk, claim[0], claim[1], claim[2], now)
    assert len(queued()) == before + 1


def test_no_escalation_address_sends_nothing_and_logs_it(urgent, settings, caplog):
    settings.CLINIC_ESCALATION_EMAIL = []
    urgent_requests_realert(now=later(urgent, 15))
    assert urgent_requests_realert(now=later(urgent, 30)).escalations == 0
    assert "CLINIC_ESCALATION_EMAIL unset" in caplog.text


def test_the_command_runs_once_and_prints_counts_only(urgent):
    ConsultationRequest.objects.filter(pk=urgent.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=16)
    )
    out = io.StringIO()
    call_command("alert_urgent", stdout=out)
    assert out.getvalue().strip() == "reminders=1 escalations=0"
    call_command("alert_urgent", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "reminders=0 escalations=0"


@pytest.mark.postgres
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL row locks and real concurrency",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_alert_once(service_kwargs):
    reqs = [
        consultation_request_create(
            **{
                **service_kwargs,
                "phone": f"+1510555{n:04d}",
                "email": "",
                "self_harm_answer": "yes",
                "submission_token": f"t-{n}",
            }
        )
        for n in range(100, 110)
    ]
    now = later(reqs[-1], 15)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(urgent_requests_realert(now=now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.reminders for r in results) == 10
    reminders = [e for e in queued() if e.subject.startswith("STILL URGENT")]
    assert len(reminders) == 10
    assert len({e.extra_headers["Message-ID"] for e in reminders}) == 10


# The patient's page


def test_urgent_thank_you_page_puts_crisis_lines_first_and_promises_no_time(
    client, valid_data
):
    client.post(reverse("consultations:create"), {**valid_data, "self_harm": "yes"})
    html = client.get(THANKS).content.decode()
    main = html[html.index('id="main-content"') :]
    reference_at = main.index('id="reference"')
    for line in [
        'href="tel:988"',
        "Call or text",
        'href="sms:741741"',
        "Crisis Text Line",
        'href="tel:911"',
    ]:
        assert -1 < main.index(line) < reference_at, line
    assert (
        "Our clinic cannot respond immediately, and we are not an emergency service."
        in main
    )
    assert "try to call you as soon as a member of staff is available" in main
    assert "business day" not in html
    assert "next business" not in html.lower()


def test_urgent_patient_email_promises_no_business_day(urgent):
    patient = queued()[-1]
    assert patient.to == ["marisol@patient.example"]
    text = full_text(patient)
    assert "business day" not in text
    assert "not an emergency service" in text
    assert "988" in text
