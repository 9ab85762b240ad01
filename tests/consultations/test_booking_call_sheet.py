"""Booked calls for staff: the per-day call sheet and the request list."""

import datetime as dt

import pytest
from django.urls import reverse

from consultations.booking.models import CallSchedule, CallWindow
from consultations.booking.services import (
    booking_cancel_by_patient,
    booking_create,
)
from consultations.booking.wording import day_label, time_label
from consultations.services.intake import consultation_request_create
from tests.consultations.booking_helpers import slots_ahead
from tests.factories import ConsultationRequestFactory, make_staff

pytestmark = pytest.mark.django_db


def publish(location):
    schedule = CallSchedule.objects.create(location=location, published=True)
    for day in range(7):
        CallWindow.objects.create(
            schedule=schedule, weekday=day, starts=dt.time(9), ends=dt.time(12)
        )
    return schedule


def sheet_url(schedule, day=None):
    url = reverse("admin:consultations_callschedule_calls", args=[schedule.pk])
    return f"{url}?day={day}" if day else url


@pytest.fixture
def oakland_booking(oakland, front_desk):
    schedule = publish(oakland)
    slot = slots_ahead(oakland)[0]
    request = ConsultationRequestFactory(
        location=oakland, first_name="Robin", last_name="Tester", assigned_to=front_desk
    )
    return schedule, booking_create(request=request, starts_at=slot.starts_at)


def test_the_call_sheet_lists_the_days_calls_in_local_time_with_the_caller(
    desk_client, oakland_booking
):
    schedule, booking = oakland_booking
    zone = schedule.location.zone
    day = booking.starts_at.astimezone(zone).date()
    page = desk_client.get(sheet_url(schedule, day))
    assert page.status_code == 200
    html = page.content.decode()
    assert day_label(day) in html and "(Pacific time)" in html
    assert f"<strong>{time_label(booking.starts_at, zone)}</strong>" in html
    assert booking.request.reference in html
    assert "Robin T." in html and "Tester" not in html
    assert str(booking.request.phone.national_number) not in html
    assert "Dana" in html  # the assigned caller
    other_day = desk_client.get(sheet_url(schedule, day + dt.timedelta(days=1)))
    assert booking.request.reference not in other_day.content.decode()


def test_a_cancelled_booking_leaves_the_sheet(desk_client, oakland_booking):
    schedule, booking = oakland_booking
    day = booking.starts_at.astimezone(schedule.location.zone).date()
    booking_cancel_by_patient(booking=booking)
    html = desk_client.get(sheet_url(schedule, day)).content.decode()
    assert 'id="call-sheet-empty"' in html


def test_the_call_sheet_is_scoped_by_location(desk_client, portland, oakland_booking):
    theirs = publish(portland)
    assert desk_client.get(sheet_url(theirs)).status_code == 404
    assert desk_client.get(sheet_url(theirs, "2026-12-03")).status_code == 404


def test_a_bad_day_shows_today(desk_client, oakland_booking):
    schedule, _booking = oakland_booking
    page = desk_client.get(sheet_url(schedule, "not-a-day"))
    assert page.status_code == 200
    assert day_label(schedule.location.local_now().date()) in page.content.decode()


def test_staff_without_booking_permission_get_no_call_sheet(
    client, otp_login, oakland, oakland_booking
):
    schedule, _booking = oakland_booking
    otp_login(client, make_staff("editor", locations=[oakland], group="Content editor"))
    assert client.get(sheet_url(schedule)).status_code == 403


def test_the_request_list_shows_the_booked_time_in_the_call_by_cell(
    desk_client, oakland_booking
):
    schedule, booking = oakland_booking
    unbooked = ConsultationRequestFactory(location=schedule.location)
    page = desk_client.get(
        reverse("admin:consultations_consultationrequest_changelist")
    )
    rows = {r.pk: r for r in page.context["cl"].result_list}
    assert rows[booking.request_id].booked_at == booking.starts_at
    assert rows[unbooked.pk].booked_at is None
    html = page.content.decode()
    assert 'triage-flag--booked">Booked</span>' in html
    assert html.count("triage-flag--booked") == 1


def test_a_booked_call_is_the_promise_and_cancelling_restores_the_usual_one(oakland):
    publish(oakland)
    slot = slots_ahead(oakland)[0]
    consultation = consultation_request_create(
        location=oakland,
        first_name="Sam",
        last_name="Reyes",
        phone="+15105550123",
        preferred_contact="phone",
        submission_token="t",
        ip_hash="",
        slot_start=slot.starts_at,
    )
    consultation.refresh_from_db()
    assert consultation.promised_contact_by == slot.ends_at
    assert consultation.history.count() == 1  # no history row for the promise
    booking_cancel_by_patient(booking=consultation.bookings.get())
    consultation.refresh_from_db()
    assert consultation.promised_contact_by != slot.ends_at


def test_an_urgent_request_keeps_its_urgent_promise_when_it_books(oakland):
    publish(oakland)
    slot = slots_ahead(oakland)[-1]
    consultation = consultation_request_create(
        location=oakland,
        first_name="Sam",
        last_name="Reyes",
        phone="+15105550123",
        preferred_contact="phone",
        self_harm_answer="yes",
        submission_token="t",
        ip_hash="",
        slot_start=slot.starts_at,
    )
    consultation.refresh_from_db()
    assert consultation.urgent and consultation.bookings.live().exists()
    assert consultation.promised_contact_by < slot.starts_at


def test_the_requests_page_names_its_booked_call(desk_client, oakland_booking):
    from consultations.admin.display import local_time

    schedule, booking = oakland_booking
    url = reverse(
        "admin:consultations_consultationrequest_change", args=[booking.request_id]
    )
    html = desk_client.get(url).content.decode()
    assert 'triage-flag--booked">Booked call</span>' in html
    assert local_time(booking.starts_at, schedule.location.zone) in html
    booking_cancel_by_patient(booking=booking)
    assert "Booked call" not in desk_client.get(url).content.decode()
