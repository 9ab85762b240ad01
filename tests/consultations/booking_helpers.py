"""Helpers for booking tests: a location publishing call times."""

import datetime as dt

from consultations.booking.models import CallSchedule, CallWindow
from tests.factories import LocationFactory


def bookable_location(*, callers=1, windows=None, **location):
    """A Pacific-time location taking 15-minute calls, every day 9:00–12:00 unless
    told otherwise, published."""
    location = LocationFactory(**location)
    schedule = CallSchedule.objects.create(
        location=location, published=True, callers=callers
    )
    windows = windows or [(day, dt.time(9), dt.time(12)) for day in range(7)]
    CallWindow.objects.bulk_create(
        CallWindow(schedule=schedule, weekday=day, starts=starts, ends=ends)
        for day, starts, ends in windows
    )
    return location


def slots_ahead(location):
    """The free slots but the first: the first can fall inside the 2-hour
    notice while a test runs (a quarter hour ticks over), the rest cannot."""
    from consultations.booking.services import location_free_slots

    return location_free_slots(location)[1:]
