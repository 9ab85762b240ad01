"""Reading a location's availability, and booking, changing and cancelling calls.

The database has the last word on double booking: a booking is one row per
(location, slot start, seat) under a unique constraint, so however requests
interleave, a slot never has more live rows than seats.
"""

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from locations.models import Location

from .models import Booking, CallSchedule
from .slots import Rules, Slot, free_slots


def published_schedule(location: Location) -> CallSchedule | None:
    """The location's schedule with everything ``schedule_rules`` reads, or None
    when it publishes no bookable times (the form then offers none)."""
    if location is None or location.status != Location.Status.OPEN:
        return None
    schedule = (
        CallSchedule.objects.filter(location=location, published=True)
        .select_related("location")
        .prefetch_related(
            "windows",
            "closures",
            Prefetch("location__holidays"),
        )
        .first()
    )
    if schedule is None or not schedule.windows.all():
        return None
    return schedule


def schedule_rules(schedule: CallSchedule, *, now: dt.datetime) -> Rules:
    """The pure rules for ``free_slots``; the location's holiday closures count
    as closed days without staff entering them twice."""
    today = schedule.location.local_now(now).date()
    closed_days = {h.date for h in schedule.location.holidays.all()}
    closed_periods = []
    for closure in schedule.closures.all():
        if closure.date < today - dt.timedelta(days=1):
            continue
        if closure.starts is None:
            closed_days.add(closure.date)
        else:
            closed_periods.append((closure.date, closure.starts, closure.ends))
    return Rules(
        zone=schedule.location.zone,
        windows=tuple((w.weekday, w.starts, w.ends) for w in schedule.windows.all()),
        call_minutes=schedule.call_minutes,
        callers=schedule.callers,
        horizon_days=schedule.horizon_days,
        notice_minutes=schedule.notice_minutes,
        closed_days=frozenset(closed_days),
        closed_periods=tuple(closed_periods),
    )


def location_free_slots(
    location: Location,
    *,
    now: dt.datetime | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    schedule: CallSchedule | None = None,
) -> list[Slot]:
    """The location's bookable slots from ``start`` (default now) to ``end``
    (default the end of its horizon). [] when it publishes none."""
    now = now or timezone.now()
    schedule = schedule or published_schedule(location)
    if schedule is None:
        return []
    rules = schedule_rules(schedule, now=now)
    start = start or now
    end = end or now + dt.timedelta(days=rules.horizon_days)
    booked = Booking.objects.live().filter(
        location=location,
        starts_at__lt=end,
        ends_at__gt=start,
    )
    return free_slots(
        rules,
        start=start,
        end=end,
        now=now,
        booked=booked.values_list("starts_at", "ends_at"),
    )


def bookings_outside_schedule(schedule: CallSchedule, *, now=None) -> list[Booking]:
    """Live future bookings that the schedule would no longer offer (outside
    every window, or on a closed day), for staff to rearrange by hand."""
    now = now or timezone.now()
    rules = schedule_rules(schedule, now=now)
    # Keep the notice and horizon out of it: a booking made yesterday for
    # tomorrow morning is still inside the schedule.
    rules = Rules(
        **{**rules.__dict__, "notice_minutes": 0, "horizon_days": 3650, "callers": 1}
    )
    outside = []
    bookings = Booking.objects.live().filter(
        location=schedule.location, starts_at__gte=now
    )
    for booking in bookings.select_related("request"):
        offered = free_slots(
            rules,
            start=booking.starts_at,
            end=booking.starts_at + dt.timedelta(seconds=1),
            now=now,
        )
        if not offered or offered[0].starts_at != booking.starts_at:
            outside.append(booking)
    return outside
