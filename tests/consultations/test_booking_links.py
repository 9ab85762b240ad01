"""The booked time in emails, the .ics file, and the signed change-or-cancel link."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import signing
from django.utils import timezone
from mailer import engine
from mailer.models import Message

from consultations.booking import links
from consultations.booking.calendar import booking_ics
from consultations.booking.links import booking_link, booking_token
from consultations.booking.models import Booking
from consultations.booking.services import booking_create
from consultations.models import ConsultationRequest
from core.models import SiteSettings
from tests.consultations.booking_helpers import bookable_location, slots_ahead
from tests.consultations.helpers import aged_token
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db
URL = "/consultation/"


@pytest.fixture(autouse=True)
def _brand(db):
    SiteSettings(brand_name="Lanternfield", main_phone="+15105550100").save()


@pytest.fixture
def bookable():
    return bookable_location(slug="harbor", name="Harbor", phone="+15105550150")


def post_with_slot(client, location, slot, **extra):
    data = {
        "first_name": "Marisol",
        "last_name": "Quintero",
        "phone": "(510) 555-0142",
        "email": "marisol@patient.example",
        "email_copy": "on",
        "location": location.slug,
        "preferred_contact": "phone",
        "language": "en",
        "consent": "on",
        "form_token": aged_token(),
        "slots_for": location.slug,
        "slot": slot.key,
        **extra,
    }
    return client.post(URL, data)


def link_path(text):
    return re.search(r"https?://[^/\s]+(/consultation/booking/[^/\s]+/)", text).group(1)


def booked(location, n=0):
    request = ConsultationRequestFactory(location=location)
    slot = slots_ahead(location)[n]
    return booking_create(request=request, starts_at=slot.starts_at)


def test_the_acknowledgement_gives_the_time_the_ics_and_the_link(
    client, bookable, mailoutbox
):
    slot = slots_ahead(bookable)[0]
    assert post_with_slot(client, bookable, slot).status_code == 303
    engine.send_all()
    patient = next(m for m in mailoutbox if m.to == ["marisol@patient.example"])
    words = f"{slot.starts_at:%A, %B} {slot.starts_at.day} at "
    assert words in patient.body and "(Pacific time)" in patient.body
    ((name, ics, mimetype),) = patient.attachments
    assert (name, mimetype) == ("call.ics", "text/calendar")
    assert f"DTSTART:{slot.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in ics
    consultation = ConsultationRequest.objects.get()
    for personal in (
        "Marisol",
        "Quintero",
        "5550142",
        "patient.example",
        consultation.reference,
        "ketamine",
        "Ketamine",
    ):
        assert personal not in ics, personal
    assert "(510) 555-0150" in ics  # the clinic's phone
    path = link_path(patient.body)
    for personal in ("Marisol", "Quintero", "0142", "patient", consultation.reference):
        assert personal not in path


def test_ics_is_valid_calendar_text():
    location = bookable_location()
    booking = booked(location)
    ics = booking_ics(booking, now=timezone.now())
    lines = ics.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    assert any(line.startswith("UID:call-") for line in lines)
    assert "SUMMARY:Phone call" in lines
    assert any(line.startswith("DTEND:") for line in lines)


def test_the_thank_you_page_offers_the_ics_and_the_link(client, bookable):
    slot = slots_ahead(bookable)[0]
    post_with_slot(client, bookable, slot)
    page = client.get("/consultation/thanks/").content.decode()
    assert 'href="/consultation/thanks/call.ics"' in page
    assert "/consultation/booking/" in page
    ics = client.get("/consultation/thanks/call.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert "attachment" in ics["Content-Disposition"]
    assert "BEGIN:VEVENT" in ics.content.decode()


def test_the_ics_needs_the_patients_own_session(client, bookable):
    booked(bookable)
    assert client.get("/consultation/thanks/call.ics").status_code == 404


def test_cancel_once_then_the_link_is_used(client, bookable):
    booking = booked(bookable)
    path = link_path(booking_link(booking))
    page = client.get(path)
    assert page.status_code == 200 and 'id="booked-call"' in page.content.decode()
    done = client.post(path, {"action": "cancel"})
    assert done.status_code == 200
    assert "Your call time is cancelled" in done.content.decode()
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    assert booking.request.status == "new"  # the request is still open
    again = client.post(path, {"action": "cancel"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.get(path).status_code == 410


def test_change_moves_the_booking_mails_a_new_link_and_retires_the_old(
    client, bookable, mailoutbox
):
    booking = booked(bookable)
    path = link_path(booking_link(booking))
    target = slots_ahead(bookable)[3]
    done = client.post(path, {"action": "change", "slot": target.key})
    assert done.status_code == 200
    assert "Your call time is changed" in done.content.decode()
    live = Booking.objects.live().get(request=booking.request)
    assert live.starts_at == target.starts_at and live.pk != booking.pk
    engine.send_all()
    (confirmation,) = mailoutbox
    assert confirmation.subject.startswith("Your call time:")
    new_path = link_path(confirmation.body)
    assert new_path != path
    assert confirmation.attachments[0][0] == "call.ics"
    again = client.post(path, {"action": "change", "slot": target.key})
    assert again.status_code == 410
    assert client.get(new_path).status_code == 200


def test_change_to_a_time_just_taken_keeps_the_old_time(client, bookable):
    booking = booked(bookable, 0)
    path = link_path(booking_link(booking))
    target = slots_ahead(bookable)[0]
    booked_elsewhere = ConsultationRequestFactory(location=bookable)
    booking_create(request=booked_elsewhere, starts_at=target.starts_at)
    page = client.post(path, {"action": "change", "slot": target.key})
    assert page.status_code == 200
    assert "That time was just taken, please pick another." in page.content.decode()
    booking.refresh_from_db()
    assert booking.cancelled_at is None


def test_change_without_a_time_asks_for_one(client, bookable):
    path = link_path(booking_link(booked(bookable)))
    page = client.post(path, {"action": "change"})
    assert page.status_code == 200
    assert "Choose the new time you would like." in page.content.decode()


def test_forged_and_garbled_links_change_nothing(client, bookable):
    booking = booked(bookable)
    forged = signing.dumps({"b": booking.pk, "c": 0}, salt=links.SALT)
    other_salt = signing.dumps(
        {"b": booking.pk, "c": int(booking.created_at.timestamp())}, salt="nope"
    )
    for token in (forged, other_salt, "x", booking_token(booking)[:-3] + "abc"):
        response = client.post(f"/consultation/booking/{token}/", {"action": "cancel"})
        assert response.status_code == 400, token
        assert "not complete or not valid" in response.content.decode()
    booking.refresh_from_db()
    assert booking.cancelled_at is None


def test_an_old_link_expires(client, bookable):
    booking = booked(bookable)
    path = link_path(booking_link(booking))
    later = dt.datetime.now().timestamp() + links.LINK_MAX_AGE.total_seconds() + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(path, {"action": "cancel"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    booking.refresh_from_db()
    assert booking.cancelled_at is None


def test_a_link_for_a_call_already_past_has_expired(client, bookable):
    booking = booked(bookable)
    path = link_path(booking_link(booking))
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert client.get(path).status_code == 410


def test_a_closed_request_cannot_be_rebooked_by_link(client, bookable):
    booking = booked(bookable)
    ConsultationRequest.objects.filter(pk=booking.request_id).update(status="spam")
    response = client.post(link_path(booking_link(booking)), {"action": "cancel"})
    assert response.status_code == 410


def test_picking_another_time_after_one_was_taken_mails_the_confirmation(
    client, bookable, mailoutbox
):
    slot = slots_ahead(bookable)[0]
    booked_first = ConsultationRequestFactory(location=bookable)
    booking_create(request=booked_first, starts_at=slot.starts_at)
    data = {
        "first_name": "Marisol",
        "last_name": "Quintero",
        "phone": "(510) 555-0142",
        "email": "marisol@patient.example",
        "email_copy": "on",
        "location": "harbor",
        "preferred_contact": "phone",
        "language": "en",
        "consent": "on",
        "form_token": aged_token(),
        "slots_for": "harbor",
        "slot": slot.key,
    }
    assert client.post(URL, data).status_code == 200
    other = slots_ahead(bookable)[0]
    assert client.post(URL, {**data, "slot": other.key}).status_code == 303
    subjects = sorted(m.subject for m in Message.objects.all())
    assert any(s.startswith("Your call time:") for s in subjects)
    assert sum(s.startswith("We have your request") for s in subjects) == 1
