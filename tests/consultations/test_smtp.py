"""Delivery through a real SMTP server (aiosmtpd) started by the tests."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from mailer.models import Message

from consultations.models import ConsultationRequest
from consultations.notifications import (
    NotificationState,
    staff_notification_state,
    staff_notification_states,
)
from tests.consultations.helpers import aged_token

pytestmark = [pytest.mark.smtp, pytest.mark.django_db]
PORTS = range(8540, 8560)
URL = "/consultation/"


class Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8540-8559")


@pytest.fixture
def smtp_settings(settings):
    port = free_port()
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.FORM_RATE_LIMIT = "1000/h"
    return settings


def start_server(port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return inbox, controller


def text_of(message):
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_staff_email_reaches_the_location_and_holds_no_patient_details(
    client, valid_data, location, smtp_settings
):
    inbox, controller = start_server(smtp_settings.EMAIL_PORT)
    try:
        assert client.post(URL, valid_data).status_code == 303
        call_command("mailworker", "--once")
    finally:
        controller.stop()
    consultation = ConsultationRequest.objects.get()
    by_id = {
        str(message["Message-ID"]): (to, message) for to, message in inbox.received
    }
    staff_to, staff = by_id[consultation.staff_notification_id]
    assert staff_to == location.notification_email_list
    text = text_of(staff)
    assert consultation.reference in text
    assert "/consultations/consultationrequest/" in text
    for detail in [
        "Marisol",
        "Quintero",
        "555-0142",
        "5105550142",
        "marisol@patient.example",
        "Panic attacks",
        "nxiety",
        "therapist",
    ]:
        assert detail not in text, detail
    assert staff["Reply-To"] is None and staff["Cc"] is None
    patient_to = [to for to, _ in inbox.received if to != staff_to]
    assert patient_to == [["marisol@patient.example"]]
    assert staff_notification_state(consultation) == NotificationState.DELIVERED
    assert Message.objects.count() == 0


def test_smtp_down_requests_accepted_then_every_staff_email_sent_exactly_once(
    client, valid_data, smtp_settings
):
    smtp_settings.CLINIC_MAIL_RETRY_BASE_SECONDS = 0
    for n in range(50):
        response = client.post(
            URL,
            {
                **valid_data,
                "phone": f"+1510555{100 + n:04d}",
                "email": "",
                "form_token": aged_token(),
            },
        )
        assert response.status_code == 303
    assert ConsultationRequest.objects.count() == 50

    call_command("mailworker", "--once")  # nothing listens: all deferred
    assert Message.objects.deferred().count() == 50
    first = ConsultationRequest.objects.first()
    assert staff_notification_state(first) == NotificationState.RETRYING

    inbox, controller = start_server(smtp_settings.EMAIL_PORT)
    try:
        for _ in range(5):
            call_command("mailworker", "--once")
            if not Message.objects.exists():
                break
    finally:
        controller.stop()

    assert Message.objects.count() == 0
    delivered = [str(message["Message-ID"]) for _to, message in inbox.received]
    expected = set(
        ConsultationRequest.objects.values_list("staff_notification_id", flat=True)
    )
    assert len(expected) == 50
    assert sorted(delivered) == sorted(expected)  # each one, exactly once
    assert set(
        staff_notification_states(ConsultationRequest.objects.all()).values()
    ) == {NotificationState.DELIVERED}
