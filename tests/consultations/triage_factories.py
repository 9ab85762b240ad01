"""Builders for triage tests: fictional patients, 555-01xx phone numbers."""

import datetime as dt
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations.models import CallAttempt, ConsultationRequest
from locations.models import StaffLocation

_phone_suffix = itertools.cycle(range(100, 200))


class ConsultationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultationRequest

    first_name = factory.Sequence(lambda n: f"Robin{n}")
    last_name = factory.Sequence(lambda n: f"Testperson{n}")
    phone = factory.LazyFunction(lambda: f"+1510555{next(_phone_suffix):04d}")
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
    preferred_contact = "phone"
    interest = "depression"
    message = "I would like to know more."
    consent_text_version = "2026-01"
    consented_at = factory.LazyFunction(timezone.now)


def make_staff(username, *, locations=(), group="Front desk", **extra):
    user = get_user_model().objects.create_user(
        username=username, password="long-enough-passphrase-1", is_staff=True, **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    for location in locations:
        StaffLocation.objects.create(user=user, location=location)
    return user


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
