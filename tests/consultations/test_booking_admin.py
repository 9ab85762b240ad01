"""Call schedules in the admin: scoped by location, warnings for stranded bookings."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.booking.models import Booking, CallSchedule
from tests.consultations.booking_helpers import bookable_location
from tests.factories import ConsultationRequestFactory, make_staff

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"admin:consultations_callschedule_{name}", args=args)


def inline_data(schedule, windows):
    data = {
        "published": "on",
        "call_minutes": "15",
        "callers": "1",
        "horizon_days": "14",
        "notice_minutes": "120",
        "windows-TOTAL_FORMS": str(len(windows)),
        "windows-INITIAL_FORMS": "0",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }
    for i, (day, starts, ends) in enumerate(windows):
        data[f"windows-{i}-weekday"] = str(day)
        data[f"windows-{i}-starts"] = starts
        data[f"windows-{i}-ends"] = ends
    return data


@pytest.fixture
def two_schedules(oakland, portland):
    from consultations.booking.models import CallWindow

    for location in (oakland, portland):
        schedule = CallSchedule.objects.create(location=location, published=True)
        CallWindow.objects.create(
            schedule=schedule, weekday=0, starts=dt.time(9), ends=dt.time(10)
        )
    return oakland.call_schedule, portland.call_schedule


def test_a_manager_sees_and_edits_only_their_locations_schedule(
    client, otp_login, oakland, two_schedules
):
    ours, theirs = two_schedules
    otp_login(client, make_staff("mgr", locations=[oakland], group="Clinic manager"))
    listing = client.get(url("changelist"))
    assert list(listing.context["cl"].result_list) == [ours]
    assert client.get(url("change", theirs.pk)).status_code == 404
    assert client.post(url("change", theirs.pk), {}).status_code == 404
    assert client.get(url("change", ours.pk)).status_code == 200


def test_front_desk_can_look_but_not_change(client, otp_login, oakland, two_schedules):
    ours, _theirs = two_schedules
    otp_login(client, make_staff("desk", locations=[oakland]))
    assert client.get(url("change", ours.pk)).status_code == 200
    response = client.post(url("change", ours.pk), inline_data(ours, []))
    assert response.status_code == 403


def test_a_manager_adds_windows_and_the_location_choice_is_theirs_only(
    client, otp_login, oakland, portland
):
    otp_login(client, make_staff("mgr", locations=[oakland], group="Clinic manager"))
    form = client.get(url("add")).context["adminform"].form
    assert list(form.fields["location"].queryset) == [oakland]
    data = inline_data(None, [(0, "09:00", "12:00"), (2, "13:00", "17:00")])
    response = client.post(url("add"), {**data, "location": portland.pk})
    assert response.status_code == 200  # refused: not one of their locations
    assert not CallSchedule.objects.exists()
    response = client.post(url("add"), {**data, "location": oakland.pk})
    assert response.status_code == 302
    assert oakland.call_schedule.windows.count() == 2


def test_a_window_must_end_after_it_starts(client, otp_login, oakland):
    otp_login(client, make_staff("mgr", locations=[oakland], group="Clinic manager"))
    data = inline_data(None, [(0, "12:00", "09:00")])
    response = client.post(url("add"), {**data, "location": oakland.pk})
    assert response.status_code == 200
    assert "Give a start time before the end time." in response.content.decode()


def test_changing_windows_keeps_bookings_and_names_those_now_outside(
    admin_client, otp_login, admin_user
):
    otp_login(admin_client, admin_user)
    location = bookable_location()
    schedule = location.call_schedule
    next_monday = timezone.localdate(timezone=location.zone) + dt.timedelta(
        days=7 - timezone.localdate(timezone=location.zone).weekday()
    )
    at = dt.datetime.combine(next_monday, dt.time(11), tzinfo=location.zone)
    request = ConsultationRequestFactory(location=location)
    Booking.objects.create(
        location=location,
        request=request,
        starts_at=at,
        ends_at=at + dt.timedelta(minutes=15),
    )
    schedule.windows.all().delete()
    data = inline_data(schedule, [(0, "09:00", "10:00")])
    response = admin_client.post(url("change", schedule.pk), data, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 booked call is now outside the call windows, and was kept" in text
    assert request.reference in text
    assert Booking.objects.live().count() == 1
