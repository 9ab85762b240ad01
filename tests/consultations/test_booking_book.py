"""Booking a call: seats, refusals, cancelling and changing, and with intake."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from consultations.booking.models import Booking
from consultations.booking.services import (
    SlotTaken,
    booking_cancel,
    booking_change,
    booking_create,
    location_free_slots,
)
from consultations.models import ConsultationRequest
from consultations.services.intake import consultation_request_create
from tests.consultations.booking_helpers import bookable_location, slots_ahead
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db


def first_free(location, n=0):
    return slots_ahead(location)[n].starts_at


def intake(location, slot_start, *, phone="+15105550123", token="t1"):
    return consultation_request_create(
        location=location,
        first_name="Sam",
        last_name="Reyes",
        phone=phone,
        preferred_contact="phone",
        submission_token=token,
        ip_hash="",
        slot_start=slot_start,
    )


def test_a_slot_takes_as_many_bookings_as_callers_and_then_refuses():
    location = bookable_location(callers=2)
    at = first_free(location)
    requests = ConsultationRequestFactory.create_batch(3, location=location)
    booked = [booking_create(request=r, starts_at=at) for r in requests[:2]]
    assert sorted(b.seat for b in booked) == [0, 1]
    with pytest.raises(SlotTaken):
        booking_create(request=requests[2], starts_at=at)
    assert Booking.objects.live().filter(starts_at=at).count() == 2
    assert at not in [s.starts_at for s in location_free_slots(location)]


def test_a_time_not_offered_is_refused():
    location = bookable_location()
    request = ConsultationRequestFactory(location=location)
    soon = timezone.now() + dt.timedelta(minutes=30)  # inside the 2-hour notice
    off_grid = first_free(location) + dt.timedelta(minutes=7)
    far = first_free(location) + dt.timedelta(days=30)
    for at in (soon, off_grid, far):
        with pytest.raises(SlotTaken):
            booking_create(request=request, starts_at=at)
    assert not Booking.objects.exists()


def test_one_live_booking_per_request():
    location = bookable_location()
    request = ConsultationRequestFactory(location=location)
    booking_create(request=request, starts_at=first_free(location, 0))
    with pytest.raises(SlotTaken):
        booking_create(request=request, starts_at=first_free(location, 1))


def test_cancelling_frees_the_place():
    location = bookable_location()
    at = first_free(location)
    first, second = ConsultationRequestFactory.create_batch(2, location=location)
    booking = booking_create(request=first, starts_at=at)
    with pytest.raises(SlotTaken):
        booking_create(request=second, starts_at=at)
    assert booking_cancel(booking=booking)
    assert not booking_cancel(booking=booking)  # the second time does nothing
    assert booking_create(request=second, starts_at=at).seat == 0


def test_changing_to_a_taken_time_keeps_the_old_booking():
    location = bookable_location()
    mine_at, theirs_at = first_free(location, 0), first_free(location, 1)
    me, them = ConsultationRequestFactory.create_batch(2, location=location)
    mine = booking_create(request=me, starts_at=mine_at)
    booking_create(request=them, starts_at=theirs_at)
    with pytest.raises(SlotTaken):
        booking_change(booking=mine, starts_at=theirs_at)
    mine.refresh_from_db()
    assert mine.cancelled_at is None and mine.starts_at == mine_at
    moved = booking_change(booking=mine, starts_at=first_free(location, 0))
    assert moved.pk != mine.pk
    assert Booking.objects.live().filter(request=me).get() == moved


def test_intake_books_the_time_with_the_request():
    location = bookable_location()
    at = first_free(location)
    consultation = intake(location, at)
    assert consultation.booking.starts_at == at
    assert consultation.slot_taken is False
    assert Booking.objects.live().get().request == consultation


def test_a_taken_time_never_loses_the_request_and_another_time_books_it():
    location = bookable_location()
    at = first_free(location)
    intake(location, at, phone="+15105550101", token="a")
    loser = intake(location, at, phone="+15105550102", token="b")
    assert loser.slot_taken is True and loser.booking is None
    assert ConsultationRequest.objects.count() == 2  # stored: call when you can
    # The same form sent again, with another time: the same request books it.
    again = intake(location, first_free(location), phone="+15105550102", token="b")
    assert again.pk == loser.pk and again.booked_now
    assert ConsultationRequest.objects.count() == 2
    assert Booking.objects.live().count() == 2


def test_a_double_click_books_once():
    location = bookable_location()
    at = first_free(location)
    first = intake(location, at)
    second = intake(location, at)
    assert first.pk == second.pk
    assert Booking.objects.count() == 1


def test_no_time_chosen_books_nothing():
    location = bookable_location()
    consultation = intake(location, None)
    assert consultation.booking is None and not consultation.slot_taken
    assert not Booking.objects.exists()


def test_a_failed_booking_inside_a_larger_transaction_leaves_it_usable():
    location = bookable_location()
    at = first_free(location)
    first, second = ConsultationRequestFactory.create_batch(2, location=location)
    with transaction.atomic():
        booking_create(request=first, starts_at=at)
        with pytest.raises(SlotTaken):
            booking_create(request=second, starts_at=at)
        assert Booking.objects.count() == 1


def test_the_database_refuses_a_seat_even_when_python_thought_it_free():
    # As in a race: the slot list was read before the other booking committed.
    from unittest import mock

    location = bookable_location()
    at = first_free(location)
    stale = [s for s in location_free_slots(location) if s.starts_at == at]
    first, second = ConsultationRequestFactory.create_batch(2, location=location)
    booking_create(request=first, starts_at=at)
    assert stale
    with mock.patch(
        "consultations.booking.services.location_free_slots", return_value=stale
    ) as offered:
        with pytest.raises(SlotTaken):
            booking_create(request=second, starts_at=at)
    assert offered.called  # refused by the constraint, after Python said free
    assert Booking.objects.live().filter(starts_at=at).count() == 1
