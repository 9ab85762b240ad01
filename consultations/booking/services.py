"""Reading a location's availability, and booking, changing and cancelling calls.

The database has the last word on double booking: a booking is one row per
(location, slot start, seat) under a unique constraint, so however requests
interleave, a slot never has more live rows than seats.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from locations.models import Location

from ..models import OPEN_STATUSES
from ..workflow import promised_contact_deadline
from .emails import booking_confirmation_queue
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
        request__status__in=OPEN_STATUSES,
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


class SlotTaken(Exception):
    """The chosen time has no free seat left (or is no longer offered)."""


def booking_create(
    *, request, starts_at: dt.datetime, now: dt.datetime | None = None
) -> Booking:
    """Give ``request`` a seat in the slot starting at ``starts_at``, or raise
    SlotTaken.

    The slot must be one the location offers now (window, notice, horizon,
    closures). Each seat is tried in its own savepoint; the unique constraint
    on (location, start, seat) among live bookings refuses a seat another
    transaction holds, so N concurrent callers get at most ``callers`` rows.
    Call inside the caller's transaction: the booking commits with it.
    """
    now = now or timezone.now()
    location = request.location
    schedule = published_schedule(location)
    if schedule is None:
        raise SlotTaken
    offered = location_free_slots(
        location,
        now=now,
        start=starts_at,
        end=starts_at + dt.timedelta(seconds=1),
        schedule=schedule,
    )
    if not offered or offered[0].starts_at != starts_at:
        raise SlotTaken
    slot = offered[0]
    # A closed request's seat is free (the every-minute job frees it too).
    Booking.objects.live().filter(location=location, starts_at=slot.starts_at).exclude(
        request__status__in=OPEN_STATUSES
    ).update(cancelled_at=now)
    for seat in range(schedule.callers):
        booking = Booking(
            location=location,
            request=request,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            seat=seat,
        )
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError:
            if Booking.objects.live().filter(request=request).exists():
                raise SlotTaken from None  # this request already holds a time
            continue
        return booking
    raise SlotTaken


def booking_cancel(*, booking: Booking, now: dt.datetime | None = None) -> bool:
    """Free the seat. Returns False when it was already cancelled."""
    now = now or timezone.now()
    return bool(Booking.objects.live().filter(pk=booking.pk).update(cancelled_at=now))


def booking_cancel_by_patient(*, booking: Booking, now=None) -> bool:
    """The patient's cancel: the seat is freed, the request stays open, and
    the promise is the usual call-back time again, counted from now."""
    now = now or timezone.now()
    with transaction.atomic():
        cancelled = booking_cancel(booking=booking, now=now)
        consultation = booking.request
        if cancelled and not consultation.urgent:
            promised = promised_contact_deadline(booking.location, now)
            type(consultation).objects.filter(pk=consultation.pk).update(
                promised_contact_by=promised
            )
    return cancelled


def booking_change(
    *, booking: Booking, starts_at: dt.datetime, now: dt.datetime | None = None
) -> Booking:
    """Move a booking to another slot, atomically: if the new time is taken,
    the old booking stays as it was (SlotTaken)."""
    now = now or timezone.now()
    # One savepoint: a refusal rolls the cancellation back with it.
    with transaction.atomic():
        if not booking_cancel(booking=booking, now=now):
            raise SlotTaken
        new = booking_create(request=booking.request, starts_at=starts_at, now=now)
    promise_booked_time(booking.request, new)
    return new


def book_with_request(consultation, slot_start, *, now) -> None:
    """Book ``slot_start`` for a request being stored; on a taken time, keep
    the request and flag it (``slot_taken``) instead of failing."""
    consultation.booking = None
    consultation.slot_taken = False
    if slot_start is None:
        return
    try:
        consultation.booking = booking_create(
            request=consultation, starts_at=slot_start, now=now
        )
    except SlotTaken:
        consultation.slot_taken = True
        return
    promise_booked_time(consultation, consultation.booking)


def promise_booked_time(consultation, booking) -> None:
    """A booked call is the promise: the triage list's "call by" and
    "overdue" follow the booked time. Not for an urgent request, whose
    promise is "as soon as staff are available"."""
    if consultation.urgent:
        return
    consultation.promised_contact_by = booking.ends_at
    # An UPDATE, not save(): the history keeps staff changes, not this.
    type(consultation).objects.filter(pk=consultation.pk).update(
        promised_contact_by=booking.ends_at
    )


def with_booked_call(queryset):
    """Annotate requests with ``booked_at``: the live booking's start, or None."""
    live = Booking.objects.live().filter(request=OuterRef("pk"))
    return queryset.annotate(booked_at=Subquery(live.values("starts_at")[:1]))


def booking_for_stored_request(stored, slot_start, *, now):
    """The same form sent again (double click, or another time picked after
    one was taken): book the time if the stored request has none yet."""
    stored.booking = Booking.objects.live().filter(request=stored).first()
    stored.slot_taken = False
    stored.booked_now = False
    if slot_start is not None and stored.booking is None:
        book_with_request(stored, slot_start, now=now)
        stored.booked_now = stored.booking is not None
        if stored.booked_now:
            booking_confirmation_queue(booking=stored.booking, now=now)
    # Already booked: a double click books once; another time needs the
    # change link.
    return stored
