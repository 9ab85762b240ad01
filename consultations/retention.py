"""Retention: erase personal data that is no longer needed.

Closed requests keep what reporting needs (reference, location, status,
urgency, interest, dates, call outcomes) and lose everything that identifies
or describes the patient, in the live row and in every historical copy that
django-simple-history keeps. Requests that nobody closed, and waitlist
entries nobody told, are not kept forever either: once nothing has happened
to them for UNCLOSED_RECORD_RETENTION_DAYS they are erased the same way
(waitlist entries deleted). Expired sessions, and the mail log's copies of
whole emails, go too. Each step selects only rows that still hold data, so a
second run changes nothing.
"""

import datetime as dt

from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as LoginLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from mailer.models import RESULT_SUCCESS, MessageLog

from locations.models import WaitlistEntry

from .models import OPEN_STATUSES, CallAttempt, ConsultationRequest
from .workflow import TERMINAL_STATUSES

# Everything the patient typed, and what staff wrote about them. Blank values
# satisfy the columns' NOT NULL constraints; the phone becomes "" (no number).
ERASED_REQUEST_FIELDS = {
    "first_name": "",
    "last_name": "",
    "phone": "",
    "email": "",
    "message": "",
    "heard_about": "",
    "internal_notes": "",
    "self_harm_answer": "",
    "ip_hash": "",
}


@transaction.atomic
def personal_data_purge(*, days: int, now: dt.datetime | None = None) -> dict:
    """Erase or delete expired personal data; returns counts per kind of row."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    log_cutoff = now - dt.timedelta(days=settings.OPERATIONAL_LOG_RETENTION_DAYS)

    expired = ConsultationRequest.objects.annotate(
        closed_or_created=Coalesce(F("closed_at"), F("created_at"))
    ).filter(
        status__in=TERMINAL_STATUSES,
        personal_data_purged_at__isnull=True,
        closed_or_created__lt=cutoff,
    )
    ids = list(expired.values_list("pk", flat=True))
    unclosed_ids = list(
        _untouched_open_requests(
            now - dt.timedelta(days=settings.UNCLOSED_RECORD_RETENTION_DAYS)
        ).values_list("pk", flat=True)
    )
    counts = {
        "requests": 0,
        "unclosed_requests": len(unclosed_ids),
        "request_history_rows": 0,
        "call_notes": 0,
    }
    ids += unclosed_ids
    if ids:
        counts["requests"] = ConsultationRequest.objects.filter(pk__in=ids).update(
            personal_data_purged_at=now, **ERASED_REQUEST_FIELDS
        )
        counts["request_history_rows"] = ConsultationRequest.history.filter(
            id__in=ids
        ).update(**ERASED_REQUEST_FIELDS)
        counts["call_notes"] = (
            CallAttempt.objects.filter(request_id__in=ids)
            .exclude(note="")
            .update(note="")
        )
        CallAttempt.history.filter(request_id__in=ids).exclude(note="").update(note="")

    # Waitlist entries go once the patient was told the location opened, and
    # that was longer ago than the retention period.
    counts["waitlist_entries"], _ = WaitlistEntry.objects.filter(
        notified_at__lt=cutoff
    ).delete()
    # Nobody told them (the clinic never opened, or only by phone and nobody
    # marked it): they go once they are that old.
    counts["untold_waitlist_entries"], _ = WaitlistEntry.objects.filter(
        notified_at__isnull=True,
        created_at__lt=now - dt.timedelta(days=settings.UNCLOSED_RECORD_RETENTION_DAYS),
    ).delete()
    counts["expired_sessions"], _ = Session.objects.filter(expire_date__lt=now).delete()
    # Delivery tracking needs only the Message-ID and result; rows written
    # before MAILER_EMAIL_LOG_MESSAGE_DATA was off still hold whole emails.
    counts["mail_log_copies"] = (
        MessageLog.objects.exclude(message_data__isnull=True)
        .exclude(message_data="")
        .update(message_data=None)
    )
    counts["mail_log_rows"], _ = MessageLog.objects.filter(
        result=RESULT_SUCCESS, when_attempted__lt=log_cutoff
    ).delete()
    counts["login_attempts"] = sum(
        model.objects.filter(attempt_time__lt=log_cutoff)
        .delete()[1]
        .get(model._meta.label, 0)
        for model in (AccessAttempt, AccessFailureLog, LoginLog)
    )
    return counts


def _untouched_open_requests(before):
    """Open requests with no change and no logged call since ``before``."""
    last_change = (
        ConsultationRequest.history.filter(id=OuterRef("pk"))
        .order_by()
        .values("id")
        .annotate(last=Max("history_date"))
        .values("last")
    )
    last_call = (
        CallAttempt.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(last=Max("at"))
        .values("last")
    )
    return ConsultationRequest.objects.annotate(
        last_activity=Greatest(
            F("created_at"),
            Coalesce(Subquery(last_change), F("created_at")),
            Coalesce(Subquery(last_call), F("created_at")),
        )
    ).filter(
        status__in=OPEN_STATUSES,
        personal_data_purged_at__isnull=True,
        last_activity__lt=before,
    )
