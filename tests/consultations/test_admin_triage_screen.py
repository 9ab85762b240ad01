"""The triage screen cannot be misread: labels, danger in words, local times, names."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.models import CallAttempt, CallTime, ConsultationRequest
from tests.consultations.admin_forms import change_data
from tests.consultations.helpers import attempt
from tests.factories import ConsultationRequestFactory, make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


def change_url(req):
    return reverse("admin:consultations_consultationrequest_change", args=[req.pk])


def test_the_change_view_shows_human_labels_for_every_choice(desk_client, oakland):
    req = ConsultationRequestFactory(
        location=oakland,
        self_harm_answer="prefer_not",
        interest="chronic_pain",
        preferred_contact="text",
        language="es",
        call_times=["morning", "evening"],
    )
    html = desk_client.get(change_url(req)).content.decode()
    for label in [
        "Would rather not say",
        "Chronic pain",
        "Text message",
        "Spanish",
        f"{CallTime.MORNING.label}, {CallTime.EVENING.label}",
    ]:
        assert label in html, label
    assert ">prefer_not<" not in html and "chronic_pain<" not in html


def test_urgent_and_a_yes_are_said_in_red_words_never_a_green_tick(
    desk_client, oakland
):
    urgent = ConsultationRequestFactory(
        location=oakland, urgent=True, self_harm_answer="yes"
    )
    html = desk_client.get(change_url(urgent)).content.decode()
    assert "icon-yes.svg" not in html
    assert '<span class="triage-flag triage-flag--urgent">Yes: urgent</span>' in html
    assert '<span class="triage-flag triage-flag--urgent">Yes</span>' in html

    routine = ConsultationRequestFactory(location=oakland, self_harm_answer="")
    html = desk_client.get(change_url(routine)).content.decode()
    assert "icon-no.svg" not in html and "icon-yes.svg" not in html
    assert "Not answered" in html
    assert 'id="urgent-banner"' not in html


def test_the_list_says_overdue_in_words_and_names_the_assignee(
    desk_client, oakland, front_desk
):
    past = timezone.now() - dt.timedelta(hours=2)
    overdue = ConsultationRequestFactory(
        location=oakland, promised_contact_by=past, assigned_to=front_desk
    )
    ConsultationRequestFactory(location=oakland, urgent=True)
    html = desk_client.get(CHANGELIST).content.decode()
    row = html[html.index(overdue.reference) :]
    row = row[: row.index("</tr>")]
    local = timezone.localtime(past, oakland.zone)
    assert '<span class="triage-flag triage-flag--overdue">Overdue</span>' in row
    assert local.strftime("%b %-d, ") in row and local.tzname() in row
    assert '<td class="field-assignee">Dana' in row
    assert "Urgent: not acknowledged" in html
    for column in [
        "Reference",
        "Location",
        "Status",
        "Urgent",
        "Call by",
        "Assigned to",
        "Staff notified",
    ]:
        assert f">{column}</" in html, column


def test_the_csv_gives_times_in_the_locations_zone_to_the_minute(
    manager_client, oakland
):
    req = ConsultationRequestFactory(location=oakland, call_times=["morning"])
    reply = manager_client.get(
        reverse("admin:consultations_consultationrequest_export")
    )
    rows = list(csv.DictReader(io.StringIO(reply.content.decode())))
    local = timezone.localtime(req.created_at, oakland.zone)
    assert rows[0]["Received"] == (
        f"{local:%Y-%m-%d} {local.hour % 12 or 12}:{local:%M} "
        f"{'a.m.' if local.hour < 12 else 'p.m.'} {local.tzname()}"
    )
    assert rows[0]["Best times to call"] == CallTime.MORNING.label


def test_the_call_log_gives_the_local_minute_and_the_callers_name(
    desk_client, oakland, front_desk
):
    req = ConsultationRequestFactory(location=oakland)
    at = timezone.now() - dt.timedelta(hours=1)
    attempt(req, "voicemail", by=front_desk, at=at)
    html = desk_client.get(change_url(req)).content.decode()
    local = timezone.localtime(at, oakland.zone)
    log = html[html.index('id="call_attempts-2-group"') :]
    assert local.strftime("%a, %b %-d, %Y, ") in log
    assert f":{local:%M} " in log and local.tzname() in log
    caller = log[log.index('class="field-caller"') :]
    assert caller[: caller.index("</td>")].split("<p>")[1].startswith("Dana</p>")


def test_a_superuser_with_no_location_can_assign_to_the_locations_staff(
    client, otp_login, oakland, front_desk, portland
):
    boss = get_user_model().objects.create_superuser("ops-lee", "lee@clinic.example")
    make_staff("desk-portland", locations=[portland])
    otp_login(client, boss)
    req = ConsultationRequestFactory(location=oakland)
    form = client.get(change_url(req)).context["adminform"].form
    offered = [user.username for user in form.fields["assigned_to"].queryset]
    assert offered == ["desk-oakland"]
    response = client.post(change_url(req), change_data(req, assigned_to=front_desk.pk))
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.assigned_to == front_desk
    assert req.history.latest().history_user == boss


def test_the_admin_carries_the_clinic_name(desk_client, demo):
    html = desk_client.get(reverse("admin:index")).content.decode()
    assert "Django administration" not in html
    assert "Django site admin" not in html
    assert "Lanternfield" in html[html.index("<title>") : html.index("</title>")]
    assert 'id="site-name"' in html and "Lanternfield" in html


def test_the_sign_in_page_asks_in_plain_words(client, settings):
    html = client.get(reverse("admin:login")).content.decode()
    assert ">Password:</label>" in html
    assert ">Code from your authenticator app:</label>" in html
    assert "OTP Token" not in html and "OTP Device" not in html
    assert "Django administration" not in html


def test_an_account_with_no_authenticator_is_told_how_to_get_one(client, oakland):
    make_staff("new-hire", locations=[oakland])
    html = client.post(
        reverse("admin:login"),
        {
            "username": "new-hire",
            "password": "long-enough-passphrase-1",
            "otp_token": "123456",
        },
    ).content.decode()
    assert "has no authenticator app set up yet" in html
    assert "Ask your clinic manager" in html
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_nothing_about_devices(client, oakland):
    user = make_staff("dana2", locations=[oakland])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    html = client.post(
        reverse("admin:login"),
        {"username": "new-hire", "password": "wrong", "otp_token": "123456"},
    ).content.decode()
    assert "authenticator app set up" not in html


def test_30_rows_cost_a_flat_number_of_queries(
    desk_client, oakland, front_desk, django_assert_num_queries
):
    """The request list with 30 rows, each with a call, some urgent and assigned."""
    for n in range(30):
        req = ConsultationRequestFactory(
            location=oakland,
            urgent=n % 5 == 0,
            assigned_to=front_desk if n % 3 == 0 else None,
            staff_notification_id=f"<q{n}@clinic.example>",
        )
        attempt(req, "no_answer", by=front_desk)
    desk_client.get(CHANGELIST)  # warm the site-settings cache
    # Measured: 15 (session, user, device, permissions, locations, filters,
    # count, sorted ids, rows, mail log and queue, session save); the same
    # with 5 rows (test_admin_changelist.py).
    with django_assert_num_queries(15):
        response = desk_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 30
    assert CallAttempt.objects.count() == 30
    assert ConsultationRequest.objects.count() == 30
