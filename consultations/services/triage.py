"""Side effects of staff triage: call attempts, status changes, assignment, access log.

Kept apart from intake.py (the public form) so the two can grow
independently. Every change goes through ``save()``, never ``update()``, so
django-simple-history records who changed what.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from locations.models import WaitlistEntry

from ..models import (
    OPEN_STATUSES,
    AccessLog,
    CallAttempt,
    ConsultationRequest,
    Status,
)
from ..workflow import apply_transition

# Clocks drift; an attempt logged a few minutes "in the future" is still fine.
ATTEMPT_CLOCK_SKEW = dt.timedelta(minutes=5)


def check_attempt_time(at: dt.datetime, *, now=None) -> None:
    if at > (now or timezone.now()) + ATTEMPT_CLOCK_SKEW:
        raise ValidationError(
            _("A call attempt cannot be in the future."), code="future_attempt"
        )


@transaction.atomic
def call_attempt_record(
    *,
    consultation_request: ConsultationRequest,
    by,
    channel: str,
    outcome: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> CallAttempt:
    """Store a call attempt; the first one also sets ``first_contacted_at``."""
    at = at or timezone.now()
    check_attempt_time(at)
    attempt = CallAttempt(
        request=consultation_request,
        by=by,
        channel=channel,
        outcome=outcome,
        note=note,
        at=at,
    )
    attempt.full_clean()
    attempt.save()
    first = consultation_request.first_contacted_at
    if first is None or at < first:
        consultation_request.first_contacted_at = at
        consultation_request._history_user = by
        consultation_request.save(update_fields=["first_contacted_at"])
    return attempt


@transaction.atomic
def consultation_request_transition(
    *, consultation_request: ConsultationRequest, to_status: str, by, now=None
) -> bool:
    """Move a request to ``to_status`` if the workflow allows it.

    Raises ValidationError for a transition the workflow forbids. Returns
    whether anything changed.
    """
    if not apply_transition(consultation_request, to_status, now=now):
        return False
    consultation_request._history_user = by
    consultation_request.save(update_fields=["status", "closed_at"])
    return True


@transaction.atomic
def consultation_request_close_as_repeat(
    *, consultation_request: ConsultationRequest, by, now=None
) -> bool:
    """Close a linked repeat by hand: a staff decision that it is the same person.

    Only a request that the intake linked to an earlier one can be closed this
    way. The earlier request stays as it is; nothing is copied between them.
    Returns whether anything changed. The history row names who and why.
    """
    earlier = consultation_request.repeat_of
    if earlier is None:
        raise ValidationError(
            _("This request is not linked to an earlier one."), code="not_a_repeat"
        )
    if consultation_request.status not in OPEN_STATUSES:
        return False
    consultation_request.status = Status.REPEAT
    consultation_request.closed_at = now or timezone.now()
    consultation_request._history_user = by
    consultation_request._change_reason = f"Closed as a repeat of {earlier.reference}"
    consultation_request.save(update_fields=["status", "closed_at"])
    return True


def consultation_requests_transition(*, queryset, to_status: str, by) -> tuple:
    """Bulk version: returns (moved, skipped); skipped ones could not make the move."""
    moved = skipped = 0
    with transaction.atomic():
        for consultation_request in queryset:
            try:
                changed = consultation_request_transition(
                    consultation_request=consultation_request,
                    to_status=to_status,
                    by=by,
                )
            except ValidationError:
                skipped += 1
                continue
            moved += changed
            skipped += not changed
    return moved, skipped


def consultation_requests_assign(*, queryset, to, by) -> int:
    """Assign every request in ``queryset`` to ``to``; returns how many changed."""
    changed = 0
    with transaction.atomic():
        for consultation_request in queryset.exclude(assigned_to=to):
            consultation_request.assigned_to = to
            consultation_request._history_user = by
            consultation_request.save(update_fields=["assigned_to"])
            changed += 1
    return changed


def access_log_record(
    *,
    user,
    action: str,
    consultation_request: ConsultationRequest | None = None,
    waitlist_entry=None,
    row_count: int | None = None,
) -> AccessLog:
    return AccessLog.objects.create(
        user=user,
        action=action,
        request=consultation_request,
        waitlist_entry=waitlist_entry,
        row_count=row_count,
    )


def access_log_record_announced(
    sender, *, user, action, obj=None, row_count=None, **kwargs
):
    """Receiver of core.audit.personal_data_accessed (connected in apps.py)."""
    access_log_record(
        user=user,
        action=action,
        waitlist_entry=obj if sender is WaitlistEntry else None,
        row_count=row_count,
    )
