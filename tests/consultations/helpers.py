"""Helpers for consultation tests: form tokens, ageing a request, call attempts."""

import datetime as dt
import time

from django.utils import timezone

from consultations.models import CallAttempt, ConsultationRequest
from core.protection import make_form_token


def aged_token(seconds=10):
    """A genuine form token, issued `seconds` ago."""
    return make_form_token(now=time.time() - seconds)


def age(consultation_request, *, days=0, hours=0):
    """Pretend a request arrived that long ago (created_at is auto_now_add)."""
    when = timezone.now() - dt.timedelta(days=days, hours=hours)
    ConsultationRequest.objects.filter(pk=consultation_request.pk).update(
        created_at=when
    )
    consultation_request.refresh_from_db()
    return consultation_request


def attempt(consultation_request, outcome, *, by=None, at=None, note=""):
    return CallAttempt.objects.create(
        request=consultation_request,
        outcome=outcome,
        channel="phone",
        by=by,
        at=at or timezone.now(),
        note=note,
    )
