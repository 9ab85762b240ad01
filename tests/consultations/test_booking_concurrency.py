"""No double booking under concurrency: threads race for the last seats of a slot.

On PostgreSQL the threads really interleave (READ COMMITTED, each in its own
transaction): both may see the seat free, and the unique constraint on live
(location, start, seat) rows refuses all but one. SQLite takes one writer at
a time; the threads retry while the database is locked, as a busy web
worker would, and the same limit must hold.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, connections, transaction

from consultations.booking.models import Booking
from consultations.booking.services import (
    SlotTaken,
    booking_cancel,
    booking_create,
)
from tests.consultations.booking_helpers import bookable_location, slots_ahead
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)
# Recorded in the report: (threads, capacity) -> rows created.
CASES = [(50, 1), (30, 3)]


def race(requests, at):
    """Every request tries to book ``at`` at once; returns the outcomes."""
    start = threading.Barrier(len(requests))

    def attempt(request):
        try:
            start.wait()
            for _try in range(200):
                try:
                    with transaction.atomic():
                        booking_create(request=request, starts_at=at)
                    return "booked"
                except SlotTaken:
                    return "taken"
                except OperationalError as exc:  # SQLite: "database is locked"
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.005)
            return "gave up"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(attempt, requests))


@pytest.mark.parametrize(("threads", "capacity"), CASES)
def test_n_concurrent_bookings_of_a_slot_with_capacity_c_make_at_most_c(
    threads, capacity
):
    if connection.vendor == "sqlite" and threads > 20:
        threads = 20  # one writer at a time: fewer threads say the same
    location = bookable_location(callers=capacity)
    at = slots_ahead(location)[0].starts_at
    requests = ConsultationRequestFactory.create_batch(threads, location=location)

    outcomes = race(requests, at)

    rows = Booking.objects.live().filter(starts_at=at)
    assert rows.count() == capacity
    assert sorted(rows.values_list("seat", flat=True)) == list(range(capacity))
    assert outcomes.count("booked") == capacity
    assert outcomes.count("taken") == threads - capacity


def test_the_last_free_place_goes_once_and_cancelling_frees_it():
    location = bookable_location(callers=2)
    at = slots_ahead(location)[0].starts_at
    held = booking_create(
        request=ConsultationRequestFactory(location=location), starts_at=at
    )
    threads = 50 if connection.vendor == "postgresql" else 20
    requests = ConsultationRequestFactory.create_batch(threads, location=location)

    outcomes = race(requests, at)

    assert outcomes.count("booked") == 1
    assert outcomes.count("taken") == threads - 1
    assert Booking.objects.live().filter(starts_at=at).count() == 2
    booking_cancel(booking=held)
    again = race(ConsultationRequestFactory.create_batch(5, location=location), at)
    assert again.count("booked") == 1
    assert Booking.objects.live().filter(starts_at=at).count() == 2


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent web requests"
)
def test_50_patients_posting_for_the_last_place_get_1_booking_and_49_kind_pages(
    settings,
):
    from django.test import Client

    from consultations.models import ConsultationRequest
    from tests.consultations.helpers import aged_token

    settings.FORM_RATE_LIMIT = "100000/h"
    location = bookable_location(slug="harbor")
    slot = slots_ahead(location)[0]
    start = threading.Barrier(50)

    def post(n):
        try:
            data = {
                "first_name": "Sam",
                "last_name": "Reyes",
                "phone": f"+1510555{100 + n:04d}",
                "location": "harbor",
                "slots_for": "harbor",
                "slot": slot.key,
                "preferred_contact": "phone",
                "language": "en",
                "consent": "on",
                "form_token": aged_token(),
            }
            client = Client()
            start.wait()
            response = client.post("/consultation/", data)
            return response.status_code, "That time was just taken" in (
                response.content.decode()
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(post, range(50)))

    assert results.count((303, False)) == 1
    assert results.count((200, True)) == 49
    assert Booking.objects.live().filter(starts_at=slot.starts_at).count() == 1
    assert ConsultationRequest.objects.count() == 50  # every request kept
