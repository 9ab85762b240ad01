"""Canary run: personal data stays in the database and in the patient's own email.

Two hundred consultation requests and fifty waitlist sign-ups carry unique
canary values in every personal field. Along the way one submission hits a
forced server error, one fails validation, and the first delivery attempt of
every email fails. Then every place text can escape to is searched: all log
records (root logger at DEBUG), everything written to stdout and stderr, the
error emails to ADMINS, the mail queue and its log, the delivered mail, and
the cache.
"""

import logging
import re
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from mailer import engine
from mailer.models import Message, MessageLog

from consultations.models import ConsultationRequest
from locations.models import Location, WaitlistEntry
from tests.security.hostile import aged_token

pytestmark = pytest.mark.django_db

REQUESTS = 200
WAITLIST = 50
OPS = "ops@clinic.example"


def _canaries(kind, n):
    # A different area code per kind keeps every phone number unique.
    area = {"c": 201, "w": 301, "v": 401, "e": 501}[kind] + n // 100
    return {
        "first_name": f"Zqfirst{kind}{n:03d}",
        "last_name": f"Zqlast{kind}{n:03d}",
        "name": f"Zqname{kind}{n:03d}",
        "email": f"zqmail{kind}{n:03d}@patient.example",
        "phone": f"({area}) 555-01{n % 100:02d}",
        "phone_digits": f"{area}55501{n % 100:02d}",
        "message": f"Zqmessage{kind}{n:03d} low mood since spring",
        "heard_about": f"Zqheard{kind}{n:03d}",
    }


def _needles(canary):
    return [v for k, v in canary.items() if k != "phone"]


def _consultation_post(canary, location, **overrides):
    return {
        "first_name": canary["first_name"],
        "last_name": canary["last_name"],
        "phone": canary["phone"],
        "email": canary["email"],
        "location": location,
        "preferred_contact": "phone",
        "call_times": ["evening"],
        "language": "en",
        "interest": "depression",
        "message": canary["message"],
        "heard_about": canary["heard_about"],
        "self_harm": "no",
        "consent": "on",
        "website": "",
        "form_token": aged_token(),
        **overrides,
    }


class _RefusingBackend:
    """An SMTP server that refuses every recipient, naming them, as real ones do."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        refused = {r: (550, b"no such user") for m in messages for r in m.recipients()}
        raise smtplib.SMTPRecipientsRefused(refused)


def _find(text, canaries):
    """(kind, n) of every canary set with a value in ``text``."""
    digits = re.sub(r"\D", "", text)
    found = set()
    for key, canary in canaries.items():
        if any(value in text for value in _needles(canary)):
            found.add(key)
        elif canary["phone_digits"] in digits:
            found.add(key)
    return found


def _email_text(email):
    parts = [email.subject, email.body, " ".join(email.recipients())]
    parts += [str(v) for v in email.extra_headers.values()]
    parts += [content for content, _type in getattr(email, "alternatives", [])]
    return "\n".join(parts)


def test_canaries_stay_in_the_database_and_the_patients_own_email(
    client, demo, settings, caplog, capfd
):
    settings.ADMINS = [("Ops", OPS)]
    settings.FORM_RATE_LIMIT = "10000/h"
    caplog.set_level(logging.DEBUG)
    slugs = list(Location.objects.accepting_requests().values_list("slug", flat=True))
    coming = Location.objects.filter(status=Location.Status.COMING_SOON).first()
    canaries = {}

    for n in range(REQUESTS):
        canary = canaries[("c", n)] = _canaries("c", n)
        response = client.post(
            reverse("consultations:create"),
            _consultation_post(canary, slugs[n % len(slugs)]),
        )
        assert response.status_code == 303, n
    for n in range(WAITLIST):
        canary = canaries[("w", n)] = _canaries("w", n)
        response = client.post(
            reverse("locations:waitlist", args=[coming.slug]),
            {
                "name": canary["name"],
                "email": canary["email"],
                "phone": canary["phone"],
                "preferred_contact": "email",
                "consent": "on",
                "website": "",
                "form_token": aged_token(),
            },
        )
        assert response.status_code == 302, n

    # A validation failure: the patient sees their answers again, nothing else.
    invalid = canaries[("v", 0)] = _canaries("v", 0)
    response = client.post(
        reverse("consultations:create"),
        _consultation_post(invalid, slugs[0], consent=""),
    )
    assert response.status_code == 200
    # A forced server error in the middle of storing a request.
    boom = canaries[("e", 0)] = _canaries("e", 0)
    failing = Client(raise_request_exception=False)
    with mock.patch(
        "consultations.services.intake.staff_alert_send",
        side_effect=RuntimeError("mail template exploded"),
    ):
        response = failing.post(
            reverse("consultations:create"), _consultation_post(boom, slugs[0])
        )
    assert response.status_code == 500
    for value in _needles(boom):
        assert value not in response.content.decode()

    assert ConsultationRequest.objects.count() == REQUESTS
    assert WaitlistEntry.objects.count() == WAITLIST
    queued = list(Message.objects.all())
    error_emails = [m for m in queued if OPS in m.to_addresses]
    assert error_emails, "the forced error should have emailed ADMINS"

    # Delivery: every first attempt is refused (the refusal names the
    # recipient), then the retry goes through.
    settings.MAILER_EMAIL_BACKEND = "tests.security.test_canaries._RefusingBackend"
    engine.send_all()
    Message.objects.retry_deferred()
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    engine.send_all()
    assert Message.objects.count() == 0
    assert len(mail.outbox) == len(queued)

    leaks = {}

    def check(where, text, allowed=frozenset()):
        found = _find(text, canaries) - allowed
        if found:
            leaks[where] = sorted(found)[:5]

    for record in caplog.records:
        check(f"log {record.name}", record.getMessage() + str(record.exc_text or ""))
    check("caplog text", caplog.text)
    out, err = capfd.readouterr()
    check("stdout", out)
    check("stderr", err)

    patients = {c["email"]: key for key, c in canaries.items()}

    def own(email):
        return frozenset(patients[r] for r in email.recipients() if r in patients)

    for message in queued:
        check(f"queued to {message.to_addresses}", _email_text(message.email),
              own(message.email))  # fmt: skip
    for sent in mail.outbox:
        check(f"sent to {sent.to}", _email_text(sent), own(sent))
    for entry in MessageLog.objects.all():
        check(f"mail log {entry.pk} message", entry.log_message)
        if entry.email is not None:
            check(
                f"mail log {entry.pk} copy", _email_text(entry.email), own(entry.email)
            )
    for message in error_emails:
        check("error email", _email_text(message.email))
    check("cache", _cache_dump())

    assert leaks == {}
    # The canaries really are where they belong, or the search proves nothing.
    assert ConsultationRequest.objects.filter(
        first_name=canaries[("c", 7)]["first_name"],
        message=canaries[("c", 7)]["message"],
    ).exists()


def _cache_dump():
    backend = getattr(cache, "_cache", None)
    if isinstance(backend, dict):  # local memory
        return "\n".join(v.decode("utf-8", "replace") for v in backend.values())
    # django-redis: its raw redis-py client; values are pickled, and pickle
    # keeps text as UTF-8, so a canary is still found in them.
    client = cache.client.get_client()
    values = [client.get(key) or b"" for key in client.scan_iter()]
    return "\n".join(v.decode("utf-8", "replace") for v in values)


def test_the_search_finds_a_canary_wherever_it_is():
    canaries = {("c", 1): _canaries("c", 1)}
    assert _find("call +1 (201) 555-0101 back", canaries) == {("c", 1)}
    assert _find("error for zqmailc001@patient.example", canaries) == {("c", 1)}
    assert _find("Zqlastc001", canaries) == {("c", 1)}
    assert _find("nothing personal here", canaries) == set()
