"""The promised call-back time, and what counts as overdue."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationRequest, Status
from consultations.workflow import promised_contact_deadline, with_triage_flags
from locations.models import Location
from tests.consultations.helpers import age, attempt
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
NY = zoneinfo.ZoneInfo("America/New_York")


def local(zone, *args):
    return dt.datetime(*args, tzinfo=zone)


@pytest.fixture
def oakland_hours(locations):
    return Location.objects.with_hours().get(slug="oakland")


# Oakland: Mon, Tue, Thu, Fri 9-17; Wed 9-12 and 13-19; closed weekends,
# Thanksgiving (2026-11-26), Christmas Day and New Year's Day.
@pytest.mark.parametrize(
    ("received", "promised"),
    [
        # Monday morning → end of Tuesday.
        (local(LA, 2026, 3, 2, 10), local(LA, 2026, 3, 3, 17)),
        # Tuesday → Wednesday, whose last interval closes at 19:00.
        (local(LA, 2026, 3, 3, 10), local(LA, 2026, 3, 4, 19)),
        # Before opening still means the next business day.
        (local(LA, 2026, 3, 2, 7), local(LA, 2026, 3, 3, 17)),
        # Late Monday evening is already Tuesday in UTC; the local date counts.
        (local(LA, 2026, 3, 2, 23, 30), local(LA, 2026, 3, 3, 17)),
        # Friday → Monday, across the switch to daylight saving time.
        (local(LA, 2026, 3, 6, 16), local(LA, 2026, 3, 9, 17)),
        # Saturday and Sunday → Monday.
        (local(LA, 2026, 3, 7, 12), local(LA, 2026, 3, 9, 17)),
        (local(LA, 2026, 3, 8, 20), local(LA, 2026, 3, 9, 17)),
        # The day before Thanksgiving → Friday.
        (local(LA, 2026, 11, 25, 12), local(LA, 2026, 11, 27, 17)),
        # Christmas Eve (Thursday) → Christmas is closed → Monday.
        (local(LA, 2026, 12, 24, 9), local(LA, 2026, 12, 28, 17)),
        # New Year's Eve (Thursday) → New Year's Day closed → Monday.
        (local(LA, 2026, 12, 31, 15), local(LA, 2027, 1, 4, 17)),
    ],
)
def test_promise_is_the_end_of_the_next_business_day(
    oakland_hours, django_assert_num_queries, received, promised
):
    with django_assert_num_queries(0):
        deadline = promised_contact_deadline(oakland_hours, received)
    assert deadline == promised
    assert deadline.tzinfo is not None


def test_dst_switch_gives_the_right_utc_instant(oakland_hours):
    deadline = promised_contact_deadline(oakland_hours, local(LA, 2026, 3, 6, 16))
    # 17:00 PDT (UTC-7) on Monday 9 March is midnight UTC.
    assert deadline == dt.datetime(2026, 3, 10, 0, 0, tzinfo=dt.UTC)


def test_promise_uses_the_locations_own_zone(oakland_hours):
    oakland_hours.time_zone = "America/New_York"
    # 21:30 in Los Angeles on Monday is already 00:30 on Tuesday in New York.
    deadline = promised_contact_deadline(oakland_hours, local(LA, 2026, 3, 2, 21, 30))
    assert deadline == local(NY, 2026, 3, 4, 19)


def test_saturday_hours_count_as_a_business_day(locations):
    portland = Location.objects.with_hours().get(slug="portland")
    friday = local(LA, 2026, 3, 6, 16)
    assert promised_contact_deadline(portland, friday) == local(LA, 2026, 3, 7, 13)


def test_location_without_hours_falls_back_to_a_day(locations):
    coming_soon = Location.objects.with_hours().get(slug="san-francisco")
    received = local(LA, 2026, 3, 6, 16)
    assert promised_contact_deadline(coming_soon, received) == received + dt.timedelta(
        days=1
    )


def test_a_new_request_gets_its_promised_time_from_the_location(oakland):
    from consultations.services.intake import consultation_request_create

    req = consultation_request_create(
        location=oakland,
        first_name="Robin",
        last_name="Testperson",
        phone="+15105550101",
        preferred_contact="phone",
        submission_token="t-promise",
        ip_hash="",
    )
    assert req.promised_contact_by == promised_contact_deadline(oakland, req.created_at)


def test_the_database_refuses_a_request_without_a_promised_time(oakland):
    """One place sets it (the intake service); nothing can store a request without."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequestFactory(location=oakland, promised_contact_by=None)


def flags(**filters):
    rows = with_triage_flags(ConsultationRequest.objects.filter(**filters))
    return {row.pk: row.is_overdue for row in rows}


def test_overdue_needs_open_status_no_attempt_and_a_passed_promise(oakland):
    past = timezone.now() - dt.timedelta(minutes=1)
    future = timezone.now() + dt.timedelta(hours=1)
    overdue = ConsultationRequestFactory(location=oakland, promised_contact_by=past)
    called = ConsultationRequestFactory(location=oakland, promised_contact_by=past)
    attempt(called, "voicemail")
    not_yet = ConsultationRequestFactory(location=oakland, promised_contact_by=future)
    closed = ConsultationRequestFactory(
        location=oakland, promised_contact_by=past, status=Status.SPAM
    )
    scheduled = ConsultationRequestFactory(
        location=oakland, promised_contact_by=past, status=Status.SCHEDULED
    )

    assert flags() == {
        overdue.pk: True,
        called.pk: False,
        not_yet.pk: False,
        closed.pk: False,
        scheduled.pk: True,
    }
    assert set(
        ConsultationRequest.objects.filter(
            pk__in=with_triage_flags(ConsultationRequest.objects.all())
            .filter(is_overdue=True)
            .values("pk")
        ).values_list("pk", flat=True)
    ) == {overdue.pk, scheduled.pk}


def test_change_list_puts_urgent_then_overdue_then_oldest_first(desk_client, oakland):
    past = timezone.now() - dt.timedelta(hours=1)
    future = timezone.now() + dt.timedelta(days=1)

    def make(days_old, **kwargs):
        kwargs.setdefault("promised_contact_by", future)
        return age(
            ConsultationRequestFactory(location=oakland, **kwargs), days=days_old
        )

    old_open = make(5)
    new_open = make(1)
    overdue = make(2, promised_contact_by=past)
    urgent = make(0, urgent=True)
    closed = make(9, status=Status.COMPLETED)
    closed_urgent = make(8, status=Status.SPAM, urgent=True)

    response = desk_client.get(
        reverse("admin:consultations_consultationrequest_changelist")
    )
    assert list(response.context["cl"].result_list) == [
        urgent,
        overdue,
        old_open,
        new_open,
        closed,
        closed_urgent,
    ]
    changelist = response.context["cl"]
    # The triage order (urgent, overdue, oldest) is on no column, so no
    # column shows a sort arrow that would claim otherwise.
    assert changelist.get_ordering_field_columns() == {}
    html = response.content.decode()
    # Badges (which also tint the row) only for open requests.
    assert html.count("triage-flag--urgent") == 1
    assert html.count("triage-flag--overdue") == 1

    only_overdue = desk_client.get(
        reverse("admin:consultations_consultationrequest_changelist"),
        {"overdue": "yes"},
    )
    assert list(only_overdue.context["cl"].result_list) == [overdue]
