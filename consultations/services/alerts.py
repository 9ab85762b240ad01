"""Urgent requests until a person has them: acknowledgement, re-alert, escalation.

An urgent request is announced at once to the location's staff addresses and
its on-call list (intake). Then, while it stays open and unacknowledged:

- after ``URGENT_ACK_MINUTES`` it is sent again to the on-call list;
- after ``URGENT_ESCALATION_MINUTES`` more, to ``CLINIC_ESCALATION_EMAIL``.

``manage.py alert_urgent`` runs ``urgent_requests_realert`` once a minute.
Each step is claimed with a conditional UPDATE (only the run that moves the
row from "not yet" to "done" sends), in the same transaction as the queued
email, so a repeated run, or two runs at the same moment, send each alert
exactly once.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import OPEN_STATUSES, ConsultationRequest
from ..notifications import StaffAlert, staff_alert_send

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RealertResult:
    reminders: int = 0
    escalations: int = 0


@transaction.atomic
def urgent_request_acknowledge(
    *, consultation_request: ConsultationRequest, by, now=None
) -> bool:
    """Record that ``by`` has the urgent request in hand. Returns whether it changed.

    The first acknowledgement stands: a second press (or a second person at
    the same moment) changes nothing, so "who and when" stays the first one.
    """
    locked = ConsultationRequest.objects.select_for_update().get(
        pk=consultation_request.pk
    )
    if not locked.urgent or locked.acknowledged_at is not None:
        consultation_request.acknowledged_at = locked.acknowledged_at
        consultation_request.acknowledged_by_id = locked.acknowledged_by_id
        return False
    locked.acknowledged_at = now or timezone.now()
    locked.acknowledged_by = by
    locked._history_user = by
    locked._change_reason = "Acknowledged as urgent"
    locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    consultation_request.acknowledged_at = locked.acknowledged_at
    consultation_request.acknowledged_by = by
    return True


def urgent_requests_realert(*, now: dt.datetime | None = None) -> RealertResult:
    """Send every re-alert and escalation that is due at ``now``; safe to repeat."""
    now = now or timezone.now()
    ack_wait = dt.timedelta(minutes=settings.URGENT_ACK_MINUTES)
    escalation_wait = dt.timedelta(minutes=settings.URGENT_ESCALATION_MINUTES)
    waiting = ConsultationRequest.objects.awaiting_acknowledgement()

    reminders = 0
    due = waiting.filter(realerted_at__isnull=True, created_at__lte=now - ack_wait)
    for pk in due.values_list("pk", flat=True):
        reminders += _claim_and_send(
            pk, {"realerted_at__isnull": True}, "realerted_at", StaffAlert.REMINDER, now
        )

    escalations = 0
    if settings.CLINIC_ESCALATION_EMAIL:
        due = waiting.filter(
            escalated_at__isnull=True, realerted_at__lte=now - escalation_wait
        )
        for pk in due.values_list("pk", flat=True):
            escalations += _claim_and_send(
                pk,
                {"escalated_at__isnull": True, "realerted_at__isnull": False},
                "escalated_at",
                StaffAlert.ESCALATION,
                now,
            )
    elif waiting.filter(realerted_at__lte=now - escalation_wait).exists():
        # Production settings refuse to start without the address; this is a
        # development or misconfigured host, and it must be loud.
        logger.error("urgent request unacknowledged and CLINIC_ESCALATION_EMAIL unset")
    return RealertResult(reminders=reminders, escalations=escalations)


def _claim_and_send(pk, not_done, stamp, alert, now) -> bool:
    with transaction.atomic():
        # The conditional UPDATE is the lock: of two concurrent runs, one
        # updates the row and the other (on PostgreSQL, after waiting for the
        # first to commit) finds it already stamped and sends nothing. An
        # acknowledgement that lands first wins the same way.
        claimed = ConsultationRequest.objects.filter(
            pk=pk,
            urgent=True,
            acknowledged_at__isnull=True,
            status__in=OPEN_STATUSES,
            **not_done,
        ).update(**{stamp: now})
        if not claimed:
            return False
        consultation_request = ConsultationRequest.objects.select_related(
            "location"
        ).get(pk=pk)
        staff_alert_send(consultation_request=consultation_request, alert=alert)
    logger.info("urgent request %s: %s sent", pk, alert.value)
    return True
