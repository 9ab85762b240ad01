"""The triage workflow in the admin change form: statuses, calls, times."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consultations.models import CallAttempt, ConsultationRequest, Status
from consultations.services.triage import (
    call_attempt_record,
    consultation_request_transition,
)
from consultations.workflow import next_statuses, suggests_no_response
from tests.consultations.helpers import attempt
from tests.factories import ConsultationRequestFactory

from .admin_forms import change_data

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def change_url(req):
    return reverse("admin:consultations_consultationrequest_change", args=[req.pk])


def status_options(response):
    return [
        value
        for value, _label in response.context["adminform"]
        .form["status"]
        .field.widget.choices
    ]


def test_the_status_menu_offers_only_allowed_moves(desk_client, oakland):
    new = ConsultationRequestFactory(location=oakland)
    done = ConsultationRequestFactory(location=oakland, status=Status.COMPLETED)

    assert status_options(desk_client.get(change_url(new))) == [
        "new",
        "contacting",
        "not_suitable",
        "referred",
        "no_response",
        "withdrawn",
        "spam",
    ]
    assert status_options(desk_client.get(change_url(done))) == ["completed"]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.NEW, Status.SCHEDULED),
        (Status.NEW, Status.COMPLETED),
        (Status.CONTACTING, Status.NEW),
        (Status.COMPLETED, Status.CONTACTING),
        (Status.SPAM, Status.NEW),
    ],
)
def test_an_invalid_move_is_refused_with_a_message(desk_client, oakland, start, target):
    req = ConsultationRequestFactory(location=oakland, status=start)
    response = desk_client.post(change_url(req), change_data(req, status=target))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["status"]
    assert "cannot move to" in errors[0]
    req.refresh_from_db()
    assert req.status == start


def test_main_path_with_closed_at_and_who_did_it(desk_client, front_desk, oakland):
    req = ConsultationRequestFactory(location=oakland)

    response = desk_client.post(change_url(req), change_data(req, status="contacting"))
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.closed_at) == ("contacting", None)

    response = desk_client.post(change_url(req), change_data(req, status="scheduled"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["scheduled_for"]

    desk_client.post(
        change_url(req),
        change_data(
            req,
            status="scheduled",
            scheduled_for_0="2030-02-12",
            scheduled_for_1="10:30",
        ),
    )
    req.refresh_from_db()
    assert req.status == "scheduled"
    assert req.closed_at is None

    before = timezone.now()
    data = change_data(req, status="completed")
    data.update(scheduled_for_0="2030-02-12", scheduled_for_1="10:30")
    desk_client.post(change_url(req), data)
    req.refresh_from_db()
    assert req.status == "completed"
    assert req.closed_at >= before

    statuses = [
        (h.status, h.history_user_id)
        for h in req.history.order_by("history_date")
        if h.history_type == "~"
    ]
    assert statuses == [
        ("contacting", front_desk.pk),
        ("scheduled", front_desk.pk),
        ("completed", front_desk.pk),
    ]
    history = desk_client.get(
        reverse("admin:consultations_consultationrequest_history", args=[req.pk])
    )
    assert history.status_code == 200
    html = history.content.decode()
    # Rows name the staff member, give the status's label and the location's
    # time to the minute.
    assert "<td>Dana</td>" in html
    assert "<strong>Status:</strong> Contacting &rarr; Consult scheduled" in html
    local = timezone.localtime(req.history.latest().history_date, oakland.zone)
    assert local.strftime("%b %-d, %Y, ") in html
    assert local.tzname() in html


def test_every_exit_closes_the_request(oakland, front_desk):
    for exit_status in [
        Status.NOT_SUITABLE,
        Status.REFERRED,
        Status.NO_RESPONSE,
        Status.WITHDRAWN,
        Status.SPAM,
    ]:
        req = ConsultationRequestFactory(location=oakland, status=Status.CONTACTING)
        consultation_request_transition(
            consultation_request=req, to_status=exit_status, by=front_desk
        )
        req.refresh_from_db()
        assert req.closed_at is not None
        assert next_statuses(req.status) == []
        with pytest.raises(ValidationError):
            consultation_request_transition(
                consultation_request=req, to_status=Status.NEW, by=front_desk
            )


def test_scheduled_time_is_typed_and_shown_in_the_locations_zone(desk_client, oakland):
    # Server time is Los Angeles; this location is in New York.
    oakland.time_zone = "America/New_York"
    oakland.save()
    req = ConsultationRequestFactory(location=oakland, status=Status.CONTACTING)

    desk_client.post(
        change_url(req),
        change_data(
            req,
            status="scheduled",
            scheduled_for_0="2030-02-12",
            scheduled_for_1="10:30",
        ),
    )
    req.refresh_from_db()
    assert req.scheduled_for == dt.datetime(2030, 2, 12, 15, 30, tzinfo=UTC)

    page = desk_client.get(change_url(req))
    html = page.content.decode()
    assert 'value="10:30:00"' in html or 'value="10:30"' in html
    assert "EST" in html
    assert "New York" in html  # the help text names the zone


def test_logging_a_call_in_the_inline_sets_first_contact_and_defaults(
    desk_client, front_desk, oakland
):
    req = ConsultationRequestFactory(location=oakland)
    page = desk_client.get(change_url(req))
    inline = page.context["inline_admin_formsets"][0].formset
    assert inline.forms[0]["by"].initial == front_desk.pk

    before = timezone.now()
    response = desk_client.post(
        change_url(req),
        change_data(
            req,
            new_attempts=[
                {
                    "by": front_desk.pk,
                    "channel": "phone",
                    "outcome": "voicemail",
                    "note": "Left a message",
                }
            ],
        ),
    )
    assert response.status_code == 302
    req.refresh_from_db()
    call = req.call_attempts.get()
    assert (call.by, call.outcome, call.note) == (
        front_desk,
        "voicemail",
        "Left a message",
    )
    assert call.at >= before
    assert req.first_contacted_at == call.at

    # A later call leaves the first contact time alone.
    later = call_attempt_record(
        consultation_request=req,
        by=front_desk,
        channel="phone",
        outcome="reached",
    )
    req.refresh_from_db()
    assert req.first_contacted_at == call.at != later.at


def test_logged_calls_are_append_only(desk_client, front_desk, oakland):
    req = ConsultationRequestFactory(location=oakland)
    attempt(req, "no_answer", by=front_desk)
    data = change_data(req)
    data["call_attempts-2-0-outcome"] = "reached"
    data["call_attempts-2-0-DELETE"] = "on"
    desk_client.post(change_url(req), data)
    assert list(CallAttempt.objects.values_list("outcome", flat=True)) == ["no_answer"]


def test_a_call_cannot_be_logged_in_the_future(desk_client, front_desk, oakland):
    req = ConsultationRequestFactory(location=oakland)
    response = desk_client.post(
        change_url(req),
        change_data(
            req,
            new_attempts=[
                {
                    "by": front_desk.pk,
                    "channel": "phone",
                    "outcome": "reached",
                    "at_0": "2099-01-01",
                    "at_1": "09:00",
                }
            ],
        ),
    )
    assert response.status_code == 200
    assert not CallAttempt.objects.exists()


def test_three_unanswered_calls_suggest_no_response(desk_client, front_desk, oakland):
    req = ConsultationRequestFactory(location=oakland, status=Status.CONTACTING)
    attempt(req, "no_answer", by=front_desk)
    attempt(req, "voicemail", by=front_desk)
    page = desk_client.get(change_url(req))
    assert "consider setting the status" not in page.content.decode()

    response = desk_client.post(
        change_url(req),
        change_data(
            req,
            new_attempts=[
                {"by": front_desk.pk, "channel": "phone", "outcome": "no_answer"}
            ],
        ),
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("consider setting the status" in text for text in texts)
    assert (
        "consider setting the status"
        in desk_client.get(change_url(req)).content.decode()
    )


def test_suggestion_rules():
    def calls(*outcomes):
        return [CallAttempt(outcome=o) for o in outcomes]

    assert suggests_no_response(
        calls("no_answer", "voicemail", "no_answer"), "contacting"
    )
    assert not suggests_no_response(calls("no_answer", "voicemail"), "contacting")
    assert not suggests_no_response(
        calls("no_answer", "voicemail", "no_answer", "reached"), "contacting"
    )
    assert not suggests_no_response(
        calls("no_answer", "wrong_number", "no_answer"), "contacting"
    )
    assert not suggests_no_response(calls("no_answer") * 3, "no_response")


def test_patient_fields_cannot_be_changed(desk_client, oakland):
    req = ConsultationRequestFactory(location=oakland, first_name="Original")
    data = change_data(
        req,
        first_name="Changed",
        phone="+15105550199",
        message="Changed",
        urgent="on",
        internal_notes="Called from the front desk",
    )
    desk_client.post(change_url(req), data)
    req.refresh_from_db()
    assert req.first_name == "Original"
    assert req.message != "Changed"
    assert req.urgent is False
    assert req.internal_notes == "Called from the front desk"


def test_requests_cannot_be_added_or_deleted(otp_staff_client, oakland):
    req = ConsultationRequestFactory(location=oakland)
    add = reverse("admin:consultations_consultationrequest_add")
    delete = reverse("admin:consultations_consultationrequest_delete", args=[req.pk])
    assert otp_staff_client.get(add).status_code == 403
    assert otp_staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert ConsultationRequest.objects.filter(pk=req.pk).exists()


def bulk(client, action, requests):
    return client.post(
        reverse("admin:consultations_consultationrequest_changelist"),
        {"action": action, "_selected_action": [r.pk for r in requests]},
        follow=True,
    )


def test_bulk_mark_contacting_respects_the_workflow(desk_client, front_desk, oakland):
    new = ConsultationRequestFactory(location=oakland)
    done = ConsultationRequestFactory(location=oakland, status=Status.COMPLETED)
    spam = ConsultationRequestFactory(location=oakland, status=Status.SPAM)

    response = bulk(desk_client, "mark_contacting", [new, done, spam])

    texts = [str(m) for m in response.context["messages"]]
    assert "1 request moved to “Contacting”." in texts
    assert any(text.startswith("2 requests were left") for text in texts)
    statuses = dict(ConsultationRequest.objects.values_list("pk", "status"))
    assert statuses == {new.pk: "contacting", done.pk: "completed", spam.pk: "spam"}
    assert new.history.latest().history_user == front_desk


def test_bulk_mark_spam_and_assign_to_me(desk_client, front_desk, oakland):
    a, b = ConsultationRequestFactory.create_batch(2, location=oakland)
    bulk(desk_client, "mark_spam", [a])
    bulk(desk_client, "assign_to_me", [a, b])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("spam", "new")
    assert a.closed_at is not None
    assert a.assigned_to == b.assigned_to == front_desk


def test_only_colleagues_at_the_location_can_be_assigned(
    desk_client, oakland, portland
):
    from tests.factories import make_staff

    colleague = make_staff("colleague", locations=[oakland])
    elsewhere = make_staff("elsewhere", locations=[portland])
    req = ConsultationRequestFactory(location=oakland)
    page = desk_client.get(change_url(req))
    choices = page.context["adminform"].form.fields["assigned_to"].queryset
    assert colleague in choices
    assert elsewhere not in choices
    response = desk_client.post(
        change_url(req), change_data(req, assigned_to=elsewhere.pk)
    )
    assert response.status_code == 200
    req.refresh_from_db()
    assert req.assigned_to is None
