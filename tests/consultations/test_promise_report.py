"""The promise report: per location and week, computed in SQL, no personal data."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationRequest, Status
from consultations.reports import promise_report, public_promise_share
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db


def make(location, *, received, promised_after_h=24, contacted_after_h=None, **extra):
    req = ConsultationRequestFactory(location=location, **extra)
    ConsultationRequest.objects.filter(pk=req.pk).update(
        created_at=received,
        promised_contact_by=received + dt.timedelta(hours=promised_after_h),
        first_contacted_at=(
            received + dt.timedelta(hours=contacted_after_h)
            if contacted_after_h is not None
            else None
        ),
    )
    return req


@pytest.fixture
def monday(oakland):
    """10:00 local on a Monday, three weeks back."""
    today = timezone.localtime(timezone.now(), oakland.zone).date()
    day = today - dt.timedelta(days=today.weekday() + 21)
    return dt.datetime.combine(day, dt.time(10), tzinfo=oakland.zone)


def test_a_week_of_requests(oakland, portland, monday, settings):
    settings.URGENT_ACK_MINUTES = 15
    # Contacted after 1, 2, 3 and 30 hours (the last one late: promise 24 h).
    for hours in (1, 2, 3, 30):
        make(oakland, received=monday, contacted_after_h=hours)
    make(oakland, received=monday)  # never contacted, promise passed: missed
    make(oakland, received=monday, status=Status.WITHDRAWN)  # withdrawn: not due
    make(oakland, received=monday, status=Status.SPAM)  # not counted at all
    acked = make(oakland, received=monday, urgent=True, contacted_after_h=1)
    late = make(oakland, received=monday, urgent=True, contacted_after_h=2)
    ConsultationRequest.objects.filter(pk=acked.pk).update(
        acknowledged_at=monday + dt.timedelta(minutes=10)
    )
    ConsultationRequest.objects.filter(pk=late.pk).update(
        acknowledged_at=monday + dt.timedelta(minutes=40)
    )
    make(portland, received=monday, contacted_after_h=5)

    rows = promise_report(locations=[oakland, portland])
    oak = next(r for r in rows if r.location_id == oakland.pk)
    assert oak.week == monday.date()
    assert (oak.requests, oak.due, oak.kept) == (8, 7, 5)
    assert (oak.urgent, oak.urgent_acked) == (2, 1)
    # Delays 1, 1, 2, 2, 3, 30 h: the median is the mean of 2 and 2.
    assert oak.median_to_contact == dt.timedelta(hours=2)
    port = next(r for r in rows if r.location_id == portland.pk)
    assert (port.requests, port.kept, port.median_to_contact) == (
        1,
        1,
        dt.timedelta(hours=5),
    )


def test_an_odd_week_has_its_middle_row_as_median(oakland, monday):
    for hours in (4, 1, 9):
        make(oakland, received=monday, contacted_after_h=hours)
    (row,) = promise_report(locations=[oakland])
    assert row.median_to_contact == dt.timedelta(hours=4)


def test_weeks_are_local_mondays(oakland, monday):
    # Sunday 11 p.m. local is still last week, even when UTC says Monday.
    sunday_night = monday - dt.timedelta(hours=11)
    make(oakland, received=sunday_night, contacted_after_h=1)
    make(oakland, received=monday, contacted_after_h=1)
    weeks = [r.week for r in promise_report(locations=[oakland])]
    assert weeks == [monday.date(), monday.date() - dt.timedelta(days=7)]


def test_the_report_costs_the_same_queries_for_more_rows(
    oakland, portland, monday, django_assert_num_queries
):
    for n in range(3):
        make(oakland, received=monday, contacted_after_h=n + 1)
    with django_assert_num_queries(2):  # one zone: counts and medians
        promise_report(locations=[oakland, portland])
    for n in range(30):
        make(portland, received=monday - dt.timedelta(days=7), contacted_after_h=n)
    with django_assert_num_queries(2):
        assert len(promise_report(locations=[oakland, portland])) == 2


def test_the_admin_report_is_scoped_and_holds_no_personal_data(
    desk_client, oakland, portland, monday
):
    mine = make(oakland, received=monday, contacted_after_h=2, first_name="Zelda")
    make(portland, received=monday, contacted_after_h=2)
    html = desk_client.get(
        reverse("admin:consultations_consultationrequest_report")
    ).content.decode()
    assert "Oakland" in html
    assert "Portland" not in html
    assert "Zelda" not in html and mine.reference not in html
    assert "2 h 0 min" in html
    assert "100%" in html


def test_the_public_line_needs_20_requests_in_90_days(client, oakland):
    now = timezone.now()
    for n in range(19):
        make(
            oakland,
            received=now - dt.timedelta(days=5),
            contacted_after_h=1 if n else 30,
        )
    make(oakland, received=now - dt.timedelta(days=100), contacted_after_h=1)
    assert public_promise_share(oakland) is None
    page = client.get(oakland.get_absolute_url()).content.decode()
    assert "We called back" not in page

    make(oakland, received=now - dt.timedelta(days=5), contacted_after_h=1)
    assert public_promise_share(oakland) == 95
    from django.core.cache import cache

    cache.clear()
    page = client.get(oakland.get_absolute_url()).content.decode()
    assert (
        "We called back 95% of requests within the time we promised (last 90 days)"
        in page
    )
