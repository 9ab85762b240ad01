import datetime as dt
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from mailer import engine
from mailer.models import PRIORITY_DEFERRED, Message, MessageLog

from consultations.models import REFERENCE_ALPHABET, ConsultationRequest, Status
from consultations.notifications import (
    NotificationState,
    staff_notification_state,
    staff_notification_states,
)
from consultations.services.intake import consultation_request_create
from consultations.workflow import promised_contact_deadline
from core.models import SiteSettings
from locations.models import HolidayClosure, Location
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db
PACIFIC = ZoneInfo("America/Los_Angeles")
PATIENT_DETAILS = [
    "Marisol",
    "Quintero",
    "+15105550142",
    "555-0142",
    "5105550142",
    "marisol@patient.example",
    "Panic attacks",
    "anxiety",
    "Anxiety",
    "therapist",
]


def queued_emails():
    return [message.email for message in Message.objects.order_by("pk")]


def full_text(email):
    parts = [email.subject, email.body] + [body for body, _ in email.alternatives]
    return "\n".join(parts)


def test_creates_a_new_request_with_consent_and_a_readable_reference(
    service_kwargs, location, settings
):
    consultation = consultation_request_create(**service_kwargs)
    consultation.refresh_from_db()
    assert consultation.status == Status.NEW
    assert re.fullmatch(f"[{REFERENCE_ALPHABET}]{{8}}", consultation.reference)
    assert consultation.phone.as_e164 == "+15105550142"
    assert consultation.consent_text_version == settings.CONSENT_TEXT_VERSION
    assert consultation.consented_at is not None
    assert consultation.submission_token == "token-1"
    assert consultation.source_page == "/locations/harbor/"
    assert consultation.urgent is False
    assert consultation.promised_contact_by is not None


def test_staff_email_goes_to_the_location_and_carries_no_patient_details(
    service_kwargs, location, settings
):
    consultation = consultation_request_create(**service_kwargs)
    staff = queued_emails()[0]
    assert staff.to == ["harbor-desk@clinic.example", "harbor-lead@clinic.example"]
    assert staff.cc == [] and staff.bcc == [] and staff.reply_to == []
    text = full_text(staff)
    assert consultation.reference in staff.subject
    assert "Harbor" in staff.subject
    admin_url = (
        settings.SITE_URL
        + f"/{settings.ADMIN_URL}consultations/consultationrequest/"
        + f"{consultation.pk}/change/"
    )
    assert admin_url in staff.body
    assert "URGENT" not in text
    for detail in PATIENT_DETAILS:
        assert detail not in text, detail


def test_staff_email_message_id_is_stored_for_the_admin(service_kwargs):
    consultation = consultation_request_create(**service_kwargs)
    staff = queued_emails()[0]
    expected = f"<consult-{consultation.reference}-staff@example.org>"
    assert consultation.staff_notification_id == expected
    assert staff.extra_headers["Message-ID"] == expected
    assert staff.message()["Message-ID"] == expected


def test_urgent_request_says_so_to_staff_without_saying_why(service_kwargs):
    consultation = consultation_request_create(
        **{**service_kwargs, "self_harm_answer": "yes"}
    )
    assert consultation.urgent
    staff = queued_emails()[0]
    assert staff.subject.startswith("URGENT")
    assert "harm" not in full_text(staff)


def test_patient_email_has_reference_and_next_steps_but_nothing_they_wrote(
    service_kwargs,
):
    consultation = consultation_request_create(**service_kwargs)
    emails = queued_emails()
    assert len(emails) == 2
    patient = emails[1]
    assert patient.to == ["marisol@patient.example"]
    assert patient.reply_to == []
    text = full_text(patient)
    assert consultation.reference in text
    assert "What happens next" in text
    assert "988" in text
    for detail in ["Panic attacks", "anxiety", "Anxiety", "therapist"]:
        assert detail not in text


def test_no_patient_email_without_an_address(service_kwargs):
    consultation_request_create(**{**service_kwargs, "email": ""})
    assert [email.to for email in queued_emails()] == [
        ["harbor-desk@clinic.example", "harbor-lead@clinic.example"]
    ]


def test_same_submission_token_twice_gives_one_request_and_one_email(
    service_kwargs,
):
    first = consultation_request_create(**{**service_kwargs, "email": ""})
    again = consultation_request_create(**{**service_kwargs, "email": ""})
    assert again.pk == first.pk
    assert ConsultationRequest.objects.count() == 1
    assert Message.objects.count() == 1


def test_token_collision_in_the_database_returns_the_stored_request(
    service_kwargs,
):
    first = consultation_request_create(**service_kwargs)
    # As if a concurrent submit got past the early check: only the unique
    # constraint stops it.
    with mock.patch(
        "consultations.services.intake._stored_for_token", side_effect=[None, first]
    ):
        again = consultation_request_create(
            **{**service_kwargs, "phone": "+15105550199", "email": ""}
        )
    assert again.pk == first.pk
    assert ConsultationRequest.objects.count() == 1


def staff_emails():
    return [e for e in queued_emails() if "-desk@" in ",".join(e.to)]


@pytest.mark.parametrize(
    "change",
    [
        # The same number typed another way: stored in E.164, so it matches.
        {"phone": "(510) 555-0142", "email": "someone-else@patient.example"},
        {"phone": "+15105550177", "email": "MARISOL@Patient.Example"},
    ],
    ids=["same phone in another format", "same email in another case"],
)
def test_repeat_is_its_own_request_linked_for_staff_and_changes_nothing(
    service_kwargs, change
):
    first = consultation_request_create(**service_kwargs)
    before = ConsultationRequest.objects.filter(pk=first.pk).values().get()
    repeat = consultation_request_create(
        **{
            **service_kwargs,
            **change,
            "first_name": "Ana",
            "message": "My own words.",
            "submission_token": "token-2",
        }
    )
    assert repeat.pk != first.pk
    assert repeat.reference != first.reference
    assert ConsultationRequest.objects.count() == 2
    repeat.refresh_from_db()
    assert repeat.first_name == "Ana"
    assert repeat.message == "My own words."
    assert repeat.repeat_of_id == first.pk
    # The earlier request is exactly as it was.
    assert ConsultationRequest.objects.filter(pk=first.pk).values().get() == before
    assert list(first.repeats.all()) == [repeat]


def test_household_phone_two_names_gives_two_requests(service_kwargs):
    first = consultation_request_create(**{**service_kwargs, "email": ""})
    partner = consultation_request_create(
        **{
            **service_kwargs,
            "first_name": "Teodoro",
            "last_name": "Quintero",
            "email": "",
            "submission_token": "token-2",
        }
    )
    names = set(ConsultationRequest.objects.values_list("first_name", flat=True))
    assert names == {"Marisol", "Teodoro"}
    assert partner.reference != first.reference


def test_a_yes_on_a_repeat_never_makes_the_earlier_request_urgent(service_kwargs):
    first = consultation_request_create(**{**service_kwargs, "email": ""})
    repeat = consultation_request_create(
        **{
            **service_kwargs,
            "email": "",
            "self_harm_answer": "yes",
            "submission_token": "token-2",
        }
    )
    first.refresh_from_db()
    assert first.urgent is False
    assert first.self_harm_answer == "no"
    assert repeat.urgent is True
    # An urgent repeat is a new urgent request: staff are told about it.
    urgent = staff_emails()[-1]
    assert urgent.subject.startswith("URGENT")
    assert repeat.reference in urgent.subject
    assert urgent.extra_headers["Message-ID"] == repeat.staff_notification_id


def test_a_repeat_of_an_urgent_request_learns_nothing_of_it(service_kwargs):
    first = consultation_request_create(**{**service_kwargs, "self_harm_answer": "yes"})
    repeat = consultation_request_create(
        **{**service_kwargs, "self_harm_answer": "no", "submission_token": "token-2"}
    )
    assert first.urgent and not repeat.urgent
    assert repeat.self_harm_answer == "no"


def test_a_non_urgent_repeat_does_not_email_staff_again(service_kwargs):
    consultation_request_create(**service_kwargs)
    assert len(staff_emails()) == 1
    repeat = consultation_request_create(
        **{
            **service_kwargs,
            "email": "other@patient.example",
            "submission_token": "token-2",
        }
    )
    assert len(staff_emails()) == 1
    assert repeat.staff_notification_id == ""
    # The repeat's own acknowledgement still goes to its own address only.
    assert queued_emails()[-1].to == ["other@patient.example"]
    assert repeat.reference in queued_emails()[-1].body


def test_double_submit_of_a_repeat_is_one_row(service_kwargs):
    consultation_request_create(**service_kwargs)
    for _ in range(2):
        consultation_request_create(**{**service_kwargs, "submission_token": "t-2"})
    assert ConsultationRequest.objects.count() == 2


@pytest.mark.parametrize(
    "situation",
    ["other location", "older than a day", "earlier one closed"],
)
def test_no_repeat_link_outside_the_same_open_location_and_day(
    service_kwargs, situation
):
    first = consultation_request_create(**service_kwargs)
    repeat_kwargs = {**service_kwargs, "submission_token": "token-2"}
    if situation == "other location":
        repeat_kwargs["location"] = LocationFactory(slug="hill")
    elif situation == "older than a day":
        ConsultationRequest.objects.filter(pk=first.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=25)
        )
    else:
        ConsultationRequest.objects.filter(pk=first.pk).update(status=Status.WITHDRAWN)
    repeat = consultation_request_create(**repeat_kwargs)
    assert repeat.pk != first.pk
    assert repeat.repeat_of is None
    assert ConsultationRequest.objects.count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"first_name": "x" * 61}, "first_name"),
        ({"first_name": "\u202e\x07"}, "first_name"),
        ({"phone": "12345"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"preferred_contact": "pigeon"}, "preferred_contact"),
        ({"call_times": ["midnight"]}, "call_times"),
        ({"self_harm_answer": "maybe"}, "self_harm_answer"),
        ({"message": "m" * 1001}, "message"),
    ],
)
def test_invalid_input_stores_and_queues_nothing(service_kwargs, change, field):
    with pytest.raises(ValidationError) as caught:
        consultation_request_create(**{**service_kwargs, **change})
    assert field in caught.value.message_dict
    assert ConsultationRequest.objects.count() == 0
    assert Message.objects.count() == 0


def test_a_location_that_is_not_open_cannot_take_requests(service_kwargs):
    soon = LocationFactory(slug="soon", status=Location.Status.COMING_SOON)
    with pytest.raises(ValidationError) as caught:
        consultation_request_create(**{**service_kwargs, "location": soon})
    assert "location" in caught.value.message_dict
    assert ConsultationRequest.objects.count() == 0


def test_text_is_cleaned_again_at_the_service(service_kwargs):
    consultation = consultation_request_create(
        **{**service_kwargs, "first_name": "Mari\u202esol", "message": "a\r\nb\x1b"}
    )
    consultation.refresh_from_db()
    assert consultation.first_name == "Marisol"
    assert consultation.message == "a\nb"


def test_request_and_emails_commit_together_or_not_at_all(service_kwargs):
    with (
        mock.patch(
            "consultations.services.intake._queue_patient_email",
            side_effect=RuntimeError("template broke"),
        ),
        pytest.raises(RuntimeError),
    ):
        consultation_request_create(**service_kwargs)
    assert ConsultationRequest.objects.count() == 0
    assert Message.objects.count() == 0


def test_promise_is_the_end_of_the_next_business_day(location):
    friday_evening = dt.datetime(2026, 11, 13, 18, 0, tzinfo=PACIFIC)
    assert promised_contact_deadline(location, friday_evening) == dt.datetime(
        2026, 11, 16, 17, 0, tzinfo=PACIFIC
    )
    monday_morning = dt.datetime(2026, 11, 16, 8, 0, tzinfo=PACIFIC)
    assert promised_contact_deadline(location, monday_morning) == dt.datetime(
        2026, 11, 17, 17, 0, tzinfo=PACIFIC
    )


def test_promise_skips_holidays_and_uses_the_latest_closing_time(location):
    HolidayClosure.objects.create(location=location, date=dt.date(2026, 11, 16))
    location.hours.filter(weekday=1).update(closes=dt.time(12))
    location.hours.create(weekday=1, opens=dt.time(13), closes=dt.time(19))
    friday_evening = dt.datetime(2026, 11, 13, 18, 0, tzinfo=PACIFIC)
    assert promised_contact_deadline(location, friday_evening) == dt.datetime(
        2026, 11, 17, 19, 0, tzinfo=PACIFIC
    )


def test_no_promise_for_a_location_without_hours(service_kwargs):
    # With no opening hours to go by, the promise falls back to one day.
    no_hours = LocationFactory(slug="nohours", weekday_hours=False)
    now = timezone.now()
    assert promised_contact_deadline(no_hours, now) == now + dt.timedelta(days=1)
    consultation = consultation_request_create(
        **{**service_kwargs, "location": no_hours, "now": now}
    )
    assert consultation.promised_contact_by == now + dt.timedelta(days=1)


def test_notification_state_follows_the_mail_queue(service_kwargs):
    consultation = consultation_request_create(**{**service_kwargs, "email": ""})
    assert staff_notification_state(consultation) == NotificationState.QUEUED

    Message.objects.update(priority=PRIORITY_DEFERRED)
    assert staff_notification_state(consultation) == NotificationState.RETRYING
    assert staff_notification_states(ConsultationRequest.objects.all()) == {
        consultation.pk: NotificationState.RETRYING
    }

    Message.objects.update(priority=2)
    engine.send_all()
    assert staff_notification_state(consultation) == NotificationState.DELIVERED

    MessageLog.objects.all().delete()  # purge_mail_log
    assert staff_notification_state(consultation) == NotificationState.UNKNOWN

    consultation.staff_notification_id = ""
    assert staff_notification_state(consultation) == NotificationState.NONE


def test_notification_states_for_many_requests_in_one_pass(
    service_kwargs, django_assert_max_num_queries
):
    for n in range(5):
        consultation_request_create(
            **{
                **service_kwargs,
                "phone": f"+1510555{170 + n:04d}",
                "email": "",
                "submission_token": f"t{n}",
            }
        )
    with django_assert_max_num_queries(3):
        states = staff_notification_states(ConsultationRequest.objects.all())
    assert set(states.values()) == {NotificationState.QUEUED}
    assert len(states) == 5


def scripted_references(*references):
    """Make new_reference() return these, in order (8 characters each)."""
    chars = iter("".join(references))
    return mock.patch(
        "consultations.models.secrets.choice", lambda _alphabet: next(chars)
    )


def test_a_reference_collision_is_retried_with_a_fresh_reference(service_kwargs):
    with scripted_references("TAKEN222"):
        consultation_request_create(**service_kwargs)
    other = {
        **service_kwargs,
        "phone": "+15105550177",
        "email": "other@patient.example",
        "submission_token": "token-2",
    }
    with scripted_references("TAKEN222", "FRESH333"):
        second = consultation_request_create(**other)

    second.refresh_from_db()
    assert second.reference == "FRESH333"
    assert ConsultationRequest.objects.count() == 2
    # The staff email names the reference that was stored, not the taken one.
    assert second.staff_notification_id == "<consult-FRESH333-staff@example.org>"
    staff, patient = queued_emails()[-2:]
    assert staff.extra_headers["Message-ID"] == second.staff_notification_id
    assert "FRESH333" in full_text(patient)
    assert "TAKEN222" not in full_text(staff) + full_text(patient)


def test_a_reference_that_keeps_colliding_stores_and_sends_nothing(service_kwargs):
    with scripted_references("TAKEN222"):
        consultation_request_create(**service_kwargs)
    queued = Message.objects.count()
    other = {**service_kwargs, "phone": "+15105550177", "submission_token": "token-2"}
    with scripted_references(*["TAKEN222"] * 3), pytest.raises(IntegrityError):
        consultation_request_create(**other)

    assert ConsultationRequest.objects.count() == 1
    assert Message.objects.count() == queued


def test_the_callback_promise_costs_the_same_queries_however_far_ahead_it_looks(
    service_kwargs, django_assert_max_num_queries
):
    # Received on a Friday evening by a clinic that opens only on Wednesdays:
    # the promise looks five days ahead, past closed days and a holiday.
    friday_evening = dt.datetime(
        2026, 12, 4, 19, 0, tzinfo=ZoneInfo("America/Los_Angeles")
    )
    every_day = LocationFactory(
        slug="daily", weekday_hours=[(d, dt.time(9), dt.time(17)) for d in range(7)]
    )
    wednesdays = LocationFactory(
        slug="wednesdays", weekday_hours=[(2, dt.time(9), dt.time(17))]
    )
    HolidayClosure.objects.create(
        location=wednesdays, date=dt.date(2026, 12, 9), reason="x"
    )

    SiteSettings.load()  # the first request of a process reads it once

    def queries_for(location, token):
        location = Location.objects.get(pk=location.pk)  # nothing prefetched
        with django_assert_max_num_queries(100) as captured:
            consultation_request_create(
                **{**service_kwargs, "location": location, "submission_token": token},
                now=friday_evening,
            )
        return len(captured)

    assert queries_for(every_day, "t-daily") == queries_for(wednesdays, "t-wed")
    later = ConsultationRequest.objects.get(submission_token="t-wed")
    local = later.promised_contact_by.astimezone(ZoneInfo("America/Los_Angeles"))
    assert local == dt.datetime(2026, 12, 16, 17, 0, tzinfo=local.tzinfo)
