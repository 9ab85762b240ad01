"""core.emails: every email is rendered from templates and queued with a Message-ID."""

import datetime as dt

import pytest
from django.utils import timezone
from mailer.models import Message

from core.emails import message_id, queue_templated_email
from core.models import SiteSettings
from locations.services import waitlist_notify_open
from tests.factories import LocationFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _brand(db):
    SiteSettings(brand_name="Lanternfield", main_phone="+15105550100").save()


def queued():
    return [m.email for m in Message.objects.order_by("pk")]


def test_an_email_without_an_id_gets_one_when_it_is_queued(settings):
    location = LocationFactory()
    given = queue_templated_email(
        template="waitlist_open",
        context={"location": location, "location_url": "https://x.example/"},
        to=["robin@example.org"],
        language="en",
    )
    (email,) = queued()
    assert email.extra_headers["Message-ID"] == given
    assert given.endswith("@example.org>")  # the domain of DEFAULT_FROM_EMAIL
    assert "\n" not in email.subject
    assert "Lanternfield" in email.body  # the brand comes from the site settings
    assert email.alternatives[0][1] == "text/html"


def test_a_stable_id_is_kept_and_names_no_person():
    assert message_id("consult", "ABCD2345-staff") == (
        "<consult-ABCD2345-staff@example.org>"
    )


def test_waitlist_opening_emails_carry_their_message_id_from_the_queue():
    entry = WaitlistEntryFactory()
    location = entry.location
    location.status = location.Status.OPEN
    location.save()
    assert waitlist_notify_open(location=location) == 1
    (email,) = queued()
    assert email.extra_headers["Message-ID"] == message_id(
        "waitlist", f"{entry.pk}-open"
    )
    assert email.to == [entry.email]
    assert email.reply_to == [location.email]


def test_any_email_gets_its_message_id_when_queued_and_keeps_it_on_retry(
    settings, mailoutbox
):
    # Mail sent without core.emails (Django's own, a management command).
    from django.core.mail import send_mail
    from mailer import engine
    from mailer.models import Message, get_message_id

    from core.delivery import retry_due_deferred

    send_mail("Subject", "Body", None, ["staff@example.org"])
    queued = get_message_id(Message.objects.get().email)
    assert queued and queued.endswith("@example.org>")

    settings.MAILER_EMAIL_BACKEND = "tests.core.test_mail_queue._BrokenBackend"
    engine.send_all()
    assert get_message_id(Message.objects.get().email) == queued
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retry_due_deferred(now=timezone.now() + dt.timedelta(days=1))
    engine.send_all()
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [queued]
