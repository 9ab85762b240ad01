"""Reminder emails before a booked call, through the mail queue.

24 hours before the call; for a call booked less than 24 hours ahead, 2 hours
before; none for a call booked less than 2 hours ahead (the confirmation
has only just gone). Each reminder is claimed by a conditional UPDATE in the
transaction that queues it, so a run that overlaps another, or a second copy
of the job, never sends one twice.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..models import OPEN_STATUSES
from .emails import booking_reminder_queue
from .models import Booking

REMIND_BEFORE = dt.timedelta(hours=24)
SHORT_NOTICE_REMIND_BEFORE = dt.timedelta(hours=2)


def reminder_due_at(starts_at: dt.datetime, booked_at: dt.datetime):
    """When the reminder for a call goes, or None for no reminder."""
    lead = starts_at - booked_at
    if lead >= REMIND_BEFORE:
        return starts_at - REMIND_BEFORE
    if lead > SHORT_NOTICE_REMIND_BEFORE:
        return starts_at - SHORT_NOTICE_REMIND_BEFORE
    return None


def bookings_of_closed_requests_release(*, now: dt.datetime | None = None) -> int:
    """Free the seats of requests that closed (withdrawn, not suitable,
    spam...) however they closed: an admin action, the withdraw link, or a
    bulk update. Run with the reminders, every minute."""
    now = now or timezone.now()
    return (
        Booking.objects.live()
        .filter(starts_at__gt=now)
        .exclude(request__status__in=OPEN_STATUSES)
        .update(cancelled_at=now)
    )


def call_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Queue every reminder that is due; returns how many were queued."""
    now = now or timezone.now()
    candidates = (
        Booking.objects.live()
        .filter(
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMIND_BEFORE,
            request__status__in=OPEN_STATUSES,
        )
        .exclude(request__email="")
        .select_related("location", "request")
    )
    sent = 0
    for booking in candidates:
        due = reminder_due_at(booking.starts_at, booking.created_at)
        if due is None or due > now:
            continue
        with transaction.atomic():
            claimed = (
                Booking.objects.live()
                .filter(pk=booking.pk, reminder_sent_at__isnull=True)
                .update(reminder_sent_at=now)
            )
            if claimed:
                booking_reminder_queue(booking=booking, now=now)
                sent += 1
    return sent
