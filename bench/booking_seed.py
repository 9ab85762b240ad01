"""Seed for bench/booking_slots.sh: Oakland publishes call times (9-12, 1-5 every
weekday, 3 callers) with 150 calls already booked; then count the queries of
one render of the slot list. Run with manage.py shell -c."""

import datetime as dt
import json
import sys

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consultations.booking.models import CallSchedule, CallWindow
from consultations.booking.services import booking_create, location_free_slots
from consultations.models import ConsultationRequest
from locations.models import Location

BOOKED = 150
location = Location.objects.get(slug="oakland")
schedule, _ = CallSchedule.objects.get_or_create(
    location=location, defaults={"published": True, "callers": 3}
)
for day in range(5):
    for starts, ends in ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(17))):
        CallWindow.objects.get_or_create(
            schedule=schedule, weekday=day, starts=starts, ends=ends
        )
slots = location_free_slots(location)
for n in range(BOOKED):
    slot = slots[(n * 7) % len(slots)]
    request = ConsultationRequest.objects.create(
        location=location,
        first_name=f"Bench{n}",
        last_name="Patient",
        phone=f"+1510555{100 + n % 100:04d}",
        preferred_contact="phone",
        consent_text_version="bench",
        consented_at=slot.starts_at,
        promised_contact_by=slot.starts_at,
    )
    try:
        booking_create(request=request, starts_at=slot.starts_at)
    except Exception:  # noqa: BLE001  (a slot already full: fine for a seed)
        pass

client = Client(HTTP_HOST="127.0.0.1")
client.get("/consultation/?location=oakland")  # warm
counts = {}
for path in ("/consultation/?location=oakland", "/consultation/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    counts[path] = len(queries)
result = {
    "bookings": len(location.call_bookings.all()),
    "slots_offered": len(location_free_slots(location)),
    "queries_per_render": counts,
}
json.dump(result, sys.stdout)
