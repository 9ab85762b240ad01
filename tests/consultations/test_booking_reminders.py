"""Reminders before a booked call: timing, once only, through the mail queue."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from mailer import engine
from mailer.models import Message

from consultations.booking.models import Booking
from consultations.booking.reminders import call_reminders_send, reminder_due_at
from consultations.booking.services import booking_create, location_free_slots
from consultations.models import ConsultationRequest
from tests.consultations.booking_helpers import bookable_location, slots_ahead
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
CALL = dt.datetime(2026, 12, 10, 17, tzinfo=dt.UTC)


def test_reminder_timing():
    assert reminder_due_at(CALL, CALL - 72 * H) == CALL - 24 * H
    assert reminder_due_at(CALL, CALL - 24 * H) == CALL - 24 * H
    assert reminder_due_at(CALL, CALL - 23 * H) == CALL - 2 * H
    assert reminder_due_at(CALL, CALL - 3 * H) == CALL - 2 * H
    assert reminder_due_at(CALL, CALL - 2 * H) is None
    assert reminder_due_at(CALL, CALL - H) is None


@pytest.fixture
def booking():
    location = bookable_location(slug="harbor", name="Harbor")
    slot = slots_ahead(location)[-1]  # days ahead: the 24-hour rule
    request = ConsultationRequestFactory(location=location, email="r@example.org")
    return booking_create(request=request, starts_at=slot.starts_at)


def test_the_reminder_goes_24_hours_before_and_only_once(booking, mailoutbox):
    too_early = booking.starts_at - 24 * H - dt.timedelta(minutes=1)
    assert call_reminders_send(now=too_early) == 0
    due = booking.starts_at - 24 * H
    assert call_reminders_send(now=due) == 1
    assert call_reminders_send(now=due + dt.timedelta(minutes=1)) == 0
    engine.send_all()
    (reminder,) = mailoutbox
    assert reminder.to == ["r@example.org"]
    assert reminder.subject.startswith("Reminder: we will call you")
    assert "/consultation/booking/" in reminder.body
    assert reminder.attachments[0][0] == "call.ics"
    assert booking.request.first_name not in reminder.body


def test_a_call_booked_less_than_a_day_ahead_is_reminded_2_hours_before(booking):
    Booking.objects.filter(pk=booking.pk).update(created_at=booking.starts_at - 20 * H)
    assert call_reminders_send(now=booking.starts_at - 3 * H) == 0
    assert call_reminders_send(now=booking.starts_at - 2 * H) == 1


def test_no_reminder_for_cancelled_closed_past_or_email_less_bookings(booking):
    due = booking.starts_at - 24 * H
    Booking.objects.filter(pk=booking.pk).update(cancelled_at=due)
    assert call_reminders_send(now=due) == 0
    Booking.objects.filter(pk=booking.pk).update(cancelled_at=None)
    ConsultationRequest.objects.filter(pk=booking.request_id).update(status="spam")
    assert call_reminders_send(now=due) == 0
    ConsultationRequest.objects.filter(pk=booking.request_id).update(
        status="new", email=""
    )
    assert call_reminders_send(now=due) == 0
    ConsultationRequest.objects.filter(pk=booking.request_id).update(
        email="r@example.org"
    )
    assert call_reminders_send(now=booking.starts_at + H) == 0
    assert call_reminders_send(now=due) == 1


def test_the_command_is_idempotent_and_prints_a_count_only(booking, monkeypatch):
    from django.utils import timezone

    due = booking.starts_at - 24 * H
    monkeypatch.setattr(timezone, "now", lambda: due)
    first, second = StringIO(), StringIO()
    call_command("send_call_reminders", stdout=first)
    call_command("send_call_reminders", stdout=second)
    assert first.getvalue().strip() == "reminders=1 released=0"
    assert second.getvalue().strip() == "reminders=0 released=0"
    assert Message.objects.count() == 1


def test_a_closed_requests_seat_is_freed(booking):
    from consultations.booking.reminders import bookings_of_closed_requests_release

    location = booking.location
    at = booking.starts_at
    assert at not in [s.starts_at for s in location_free_slots(location)]
    ConsultationRequest.objects.filter(pk=booking.request_id).update(status="withdrawn")
    # Offered again at once, and bookable even before the job runs.
    assert at in [s.starts_at for s in location_free_slots(location)]
    other = ConsultationRequestFactory(location=location)
    assert booking_create(request=other, starts_at=at).seat == 0
    assert bookings_of_closed_requests_release() == 0  # already freed
    booking.refresh_from_db()
    assert booking.cancelled_at is not None


def test_the_job_frees_seats_of_closed_requests(booking):
    from consultations.booking.reminders import bookings_of_closed_requests_release

    ConsultationRequest.objects.filter(pk=booking.request_id).update(status="spam")
    assert bookings_of_closed_requests_release() == 1
    assert bookings_of_closed_requests_release() == 0
    assert not Booking.objects.live().exists()
