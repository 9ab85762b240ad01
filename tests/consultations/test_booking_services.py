"""Reading a location's call availability from the database."""

import datetime as dt
import zoneinfo

import pytest

from consultations.booking.models import CallClosure, CallSchedule
from consultations.booking.services import location_free_slots
from locations.models import Location
from tests.consultations.booking_helpers import bookable_location
from tests.factories import HolidayClosureFactory, LocationFactory

pytestmark = pytest.mark.django_db
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
# A Sunday evening: Monday 7 December 2026 is the first bookable day.
NOW = dt.datetime(2026, 12, 6, 20, tzinfo=LA)


def days(slots):
    return sorted({s.starts_at.date() for s in slots})


def test_no_schedule_unpublished_or_no_windows_means_no_slots():
    plain = LocationFactory()
    assert location_free_slots(plain, now=NOW) == []
    unpublished = bookable_location()
    CallSchedule.objects.filter(location=unpublished).update(published=False)
    assert location_free_slots(unpublished, now=NOW) == []
    empty = bookable_location()
    empty.call_schedule.windows.all().delete()
    assert location_free_slots(empty, now=NOW) == []


def test_a_closed_or_coming_soon_location_offers_nothing():
    location = bookable_location(status=Location.Status.COMING_SOON)
    assert location_free_slots(location, now=NOW) == []


def test_holiday_closures_of_the_location_apply_without_being_entered_again():
    location = bookable_location()
    HolidayClosureFactory(location=location, date=dt.date(2026, 12, 8))
    slots = location_free_slots(location, now=NOW)
    assert dt.date(2026, 12, 8) not in days(slots)
    assert dt.date(2026, 12, 7) in days(slots)


def test_one_off_closures_whole_day_and_part_of_a_day():
    location = bookable_location()
    schedule = location.call_schedule
    CallClosure.objects.create(schedule=schedule, date=dt.date(2026, 12, 9))
    CallClosure.objects.create(
        schedule=schedule,
        date=dt.date(2026, 12, 10),
        starts=dt.time(9),
        ends=dt.time(11),
    )
    slots = location_free_slots(location, now=NOW)
    assert dt.date(2026, 12, 9) not in days(slots)
    thursday = [s for s in slots if s.starts_at.date() == dt.date(2026, 12, 10)]
    assert [f"{s.starts_at:%H:%M}" for s in thursday] == [
        "11:00",
        "11:15",
        "11:30",
        "11:45",
    ]


def test_default_horizon_is_14_days_and_default_notice_is_2_hours():
    location = bookable_location()
    schedule = location.call_schedule
    assert (schedule.call_minutes, schedule.horizon_days) == (15, 14)
    assert schedule.notice_minutes == 120
    monday_8am = dt.datetime(2026, 12, 7, 8, tzinfo=LA)
    slots = location_free_slots(location, now=monday_8am)
    assert slots[0].starts_at == dt.datetime(2026, 12, 7, 10, tzinfo=LA)
    assert slots[-1].starts_at < monday_8am + dt.timedelta(days=14)
    assert len(days(slots)) == 14
