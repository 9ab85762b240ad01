"""Triage rules: status transitions, the promised call-back time, "overdue".

Nothing here writes to the database; the services (services/intake.py,
services/triage.py) and the admin call these so that the rules live in one
place.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import OPEN_STATUSES, CallAttempt, Status

EXIT_STATUSES = (
    Status.NOT_SUITABLE,
    Status.REFERRED,
    Status.NO_RESPONSE,
    Status.WITHDRAWN,
    Status.SPAM,
)
# REPEAT is not offered in the status menu: only the "close as a repeat"
# action sets it, and only on a request the intake linked to an earlier one.
ALLOWED_TRANSITIONS = {
    Status.NEW: {Status.CONTACTING, *EXIT_STATUSES},
    Status.CONTACTING: {Status.SCHEDULED, *EXIT_STATUSES},
    Status.SCHEDULED: {Status.COMPLETED, *EXIT_STATUSES},
}
TERMINAL_STATUSES = frozenset(Status) - frozenset(OPEN_STATUSES)
UNANSWERED_OUTCOMES = (CallAttempt.Outcome.NO_ANSWER, CallAttempt.Outcome.VOICEMAIL)
# After this many unanswered calls (and never reached), suggest "no response".
NO_RESPONSE_SUGGESTION_AFTER = 3
# Used only when a location has no opening hours in the next fortnight.
FALLBACK_CONTACT_DELAY = dt.timedelta(days=1)


def promised_contact_deadline(location, created_at: dt.datetime) -> dt.datetime:
    """When a request received at ``created_at`` must have been called back.

    The promise is "by the end of the next business day": the closing time of
    the last opening interval on the first day after the local date of
    ``created_at`` (in ``location.time_zone``) on which the location opens,
    skipping closed weekdays and holiday closures. A location with no opening
    hours in the next 14 days falls back to ``created_at`` + 1 day.

    Pure: no writes, and the result depends only on the arguments. It reads
    ``location.hours`` and ``location.holidays``; pass a location from
    ``Location.objects.with_hours()`` to answer without queries. The result is
    an aware datetime in the location's zone; the thank-you page and the admin
    both use this function so that they never disagree.
    """
    day = location.next_business_day(created_at)
    if day is None:
        return created_at + FALLBACK_CONTACT_DELAY
    closes = max(closes for _opens, closes in location.intervals_on(day))
    return dt.datetime.combine(day, closes, tzinfo=location.zone)


def is_terminal(status) -> bool:
    return status in TERMINAL_STATUSES


def next_statuses(current) -> list:
    """The statuses a request in ``current`` may move to, in display order."""
    allowed = ALLOWED_TRANSITIONS.get(current, set())
    return [status for status in Status if status in allowed]


def check_transition(current, new) -> None:
    """Raise ValidationError unless ``current`` → ``new`` is allowed (or no change)."""
    if new == current or new in ALLOWED_TRANSITIONS.get(current, set()):
        return
    allowed = ", ".join(str(Status(s).label) for s in next_statuses(current))
    raise ValidationError(
        _("A request that is “%(current)s” cannot move to “%(new)s”. %(allowed)s")
        % {
            "current": Status(current).label,
            "new": Status(new).label if new in Status.values else new,
            "allowed": (_("Allowed next: %s.") % allowed)
            if allowed
            else _("It is closed."),
        },
        code="invalid_transition",
    )


def apply_transition(consultation_request, new, *, now=None) -> bool:
    """Move an unsaved instance to ``new``; set closed_at on entering a terminal status.

    Returns whether the status changed. The caller saves.
    """
    current = consultation_request.status
    check_transition(current, new)
    if new == current:
        return False
    consultation_request.status = new
    if is_terminal(new) and consultation_request.closed_at is None:
        consultation_request.closed_at = now or timezone.now()
    return True


def suggests_no_response(attempts, status) -> bool:
    """True when an open request has had enough unanswered calls and no answer."""
    if status not in OPEN_STATUSES:
        return False
    outcomes = [attempt.outcome for attempt in attempts]
    if CallAttempt.Outcome.REACHED in outcomes:
        return False
    unanswered = sum(outcome in UNANSWERED_OUTCOMES for outcome in outcomes)
    return unanswered >= NO_RESPONSE_SUGGESTION_AFTER


def overdue_q(now: dt.datetime) -> Q:
    """Open, no call attempt, and past the promised time. Needs ``has_attempt``."""
    return Q(status__in=OPEN_STATUSES, has_attempt=False, promised_contact_by__lt=now)


def with_triage_flags(queryset: QuerySet, *, now=None) -> QuerySet:
    """Annotate requests with what the triage screens sort and filter on.

    - ``has_attempt``: at least one call attempt;
    - ``is_overdue``: see ``overdue_q``;
    - ``last_outcome``: the outcome of the latest attempt (or None);
    - ``triage_priority``: 0 urgent and open, 1 overdue, 2 other open, 3 closed.

    All are SQL expressions, so filtering and sorting happen in the database.
    """
    now = now or timezone.now()
    attempts = CallAttempt.objects.filter(request=OuterRef("pk"))
    queryset = queryset.annotate(
        has_attempt=Exists(attempts),
        last_outcome=Subquery(attempts.order_by("-at", "-pk").values("outcome")[:1]),
    )
    return queryset.annotate(
        is_overdue=Case(
            When(overdue_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        triage_priority=Case(
            When(status__in=OPEN_STATUSES, urgent=True, then=Value(0)),
            When(overdue_q(now), then=Value(1)),
            When(status__in=OPEN_STATUSES, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
    )


def waiting_on_patient_q() -> Q:
    """Contacting, and our last call went to voicemail or was not answered.

    Needs ``last_outcome`` from ``with_triage_flags``.
    """
    return Q(status=Status.CONTACTING, last_outcome__in=UNANSWERED_OUTCOMES)
