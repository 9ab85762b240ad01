"""The triage change list: queries, search, filters, and the index dashboard."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.admin.dashboard import location_triage_counts
from consultations.models import Status
from tests.consultations.helpers import age, attempt
from tests.factories import ConsultationRequestFactory, make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:consultations_consultationrequest_changelist"
# Session, user, OTP device, permissions (2), the user's locations, filter
# choices (2), the count, the page of rows, the staff-email state of the page
# (mail log and queue: 2), the page's rows by id after sorting the ids
# (NarrowSortPaginator), session save (3). No date hierarchy.
MAX_CHANGELIST_QUERIES = 15


def results(client, **params):
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def build_requests(locations, count, staff):
    sites = [locations["oakland"], locations["portland"]]
    for n in range(count):
        req = ConsultationRequestFactory(
            location=sites[n % 2],
            urgent=n % 5 == 0,
            assigned_to=staff if n % 3 == 0 else None,
            staff_notification_id=f"<req{n}@clinic.example>",
        )
        attempt(req, "voicemail", by=staff)


def test_change_list_queries_stay_constant(client, otp_login, locations):
    staff = make_staff(
        "two-sites", locations=[locations["oakland"], locations["portland"]]
    )
    otp_login(client, staff)
    client.get(reverse(CHANGELIST))  # warm the site-settings cache
    counts = {}
    for total in (5, 30):
        build_requests(locations, total - sum(counts), staff)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(CHANGELIST))
        assert len(response.context["cl"].result_list) == total
        counts[total] = len(queries)
    assert counts[5] == counts[30] <= MAX_CHANGELIST_QUERIES, counts


def test_change_list_query_budget_with_pytest_helper(
    desk_client, oakland, front_desk, django_assert_max_num_queries
):
    for _ in range(30):
        attempt(
            ConsultationRequestFactory(location=oakland), "no_answer", by=front_desk
        )
    desk_client.get(reverse(CHANGELIST))  # warm the site-settings cache
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES):
        response = desk_client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 30


@pytest.mark.parametrize(
    "typed",
    [
        "(510) 555-0142",
        "510.555.0142",
        "510 555 0142",
        "+1 510-555-0142",
        "15105550142",
        "555-0142",
    ],
)
def test_search_finds_a_phone_typed_in_any_format(desk_client, oakland, typed):
    wanted = ConsultationRequestFactory(location=oakland, phone="+15105550142")
    ConsultationRequestFactory(location=oakland, phone="+15105550143")
    assert results(desk_client, q=typed) == {wanted}


def test_search_by_reference_name_and_email(desk_client, oakland):
    req = ConsultationRequestFactory(
        location=oakland,
        first_name="Marisol",
        last_name="Quennell",
        email="mq@example.org",
    )
    ConsultationRequestFactory(location=oakland)
    for term in [
        req.reference.lower(),
        "marisol",
        "QUENNELL",
        "Marisol Quennell",
        "mq@example",
    ]:
        assert results(desk_client, q=term) == {req}, term
    assert results(desk_client, q="nobody-like-this") == set()


def test_filters(desk_client, front_desk, oakland):
    new = ConsultationRequestFactory(location=oakland, interest="ptsd")
    urgent = ConsultationRequestFactory(location=oakland, urgent=True)
    mine = ConsultationRequestFactory(
        location=oakland, assigned_to=front_desk, status=Status.CONTACTING
    )
    attempt(mine, "reached")
    waiting = ConsultationRequestFactory(location=oakland, status=Status.CONTACTING)
    attempt(waiting, "reached", at=timezone.now() - dt.timedelta(days=1))
    attempt(waiting, "voicemail")
    closed = ConsultationRequestFactory(location=oakland, status=Status.COMPLETED)
    old = age(
        ConsultationRequestFactory(location=oakland, status=Status.SPAM), days=400
    )

    assert results(desk_client, status="open") == {new, urgent, mine, waiting}
    assert results(desk_client, status="waiting") == {waiting}
    assert results(desk_client, status="completed") == {closed}
    assert results(desk_client, urgent__exact="1") == {urgent}
    assert results(desk_client, assignee="me") == {mine}
    assert results(desk_client, assignee=str(front_desk.pk)) == {mine}
    assert mine not in results(desk_client, assignee="none")
    assert results(desk_client, interest__exact="ptsd") == {new}
    last_year = timezone.localdate() - dt.timedelta(days=400)
    assert results(desk_client, created_at__year=str(last_year.year)) >= {old}
    # What the filter's "Today" link sends: local midnight, with its offset.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today_only = results(desk_client, created_at__gte=str(today))
    assert new in today_only
    assert old not in today_only


def test_dashboard_counts_per_location_in_one_query(
    oakland, portland, admin_user, django_assert_num_queries
):
    past = timezone.now() - dt.timedelta(hours=1)
    ConsultationRequestFactory(location=oakland)
    ConsultationRequestFactory(location=oakland, urgent=True, promised_contact_by=past)
    ConsultationRequestFactory(location=oakland, urgent=True, status=Status.SPAM)
    waiting = ConsultationRequestFactory(location=oakland, status=Status.CONTACTING)
    attempt(waiting, "no_answer")
    reached = ConsultationRequestFactory(location=oakland, status=Status.CONTACTING)
    attempt(reached, "no_answer", at=timezone.now() - dt.timedelta(hours=2))
    attempt(reached, "reached")
    ConsultationRequestFactory(location=portland, promised_contact_by=past)

    with django_assert_num_queries(1):
        rows = {
            loc.slug: (
                loc.new_count,
                loc.overdue_count,
                loc.urgent_count,
                loc.waiting_count,
            )
            for loc in location_triage_counts(admin_user)
        }
    assert rows == {
        "oakland": (2, 1, 1, 1),
        "portland": (1, 1, 0, 0),
        "san-francisco": (0, 0, 0, 0),
    }


def test_admin_index_shows_only_the_users_locations(desk_client, oakland, portland):
    ConsultationRequestFactory(location=oakland)
    response = desk_client.get(reverse("admin:index"))
    html = response.content.decode()
    assert "Consultation requests needing attention" in html
    assert "Oakland" in html
    assert "Portland" not in html


def test_staff_email_delivery_state(desk_client, oakland):
    """The list column and the change view give the same answer, failures included."""
    from django.core.mail import EmailMessage
    from mailer.models import (
        PRIORITY_DEFERRED,
        RESULT_FAILURE,
        RESULT_SUCCESS,
        Message,
        MessageLog,
    )

    from consultations.notifications import staff_notification_state

    def log(message_id, result):
        MessageLog.objects.create(
            message_data="",
            message_id=message_id,
            when_added=timezone.now(),
            priority=2,
            result=result,
            log_message="",
        )

    def queue(message_id, *, deferred=False):
        EmailMessage(
            "s",
            "b",
            "desk@clinic.example",
            ["desk@clinic.example"],
            headers={"Message-ID": message_id},
        ).send()
        if deferred:
            Message.objects.filter(pk=Message.objects.latest("pk").pk).update(
                priority=PRIORITY_DEFERRED
            )

    delivered = ConsultationRequestFactory(
        location=oakland, staff_notification_id="<a@clinic.example>"
    )
    log("<a@clinic.example>", RESULT_FAILURE)
    log("<a@clinic.example>", RESULT_SUCCESS)
    retrying = ConsultationRequestFactory(
        location=oakland, staff_notification_id="<b@clinic.example>"
    )
    log("<b@clinic.example>", RESULT_FAILURE)
    queue("<b@clinic.example>", deferred=True)
    queued = ConsultationRequestFactory(
        location=oakland, staff_notification_id="<c@clinic.example>"
    )
    queue("<c@clinic.example>")
    failed = ConsultationRequestFactory(
        location=oakland, staff_notification_id="<d@clinic.example>"
    )
    log("<d@clinic.example>", RESULT_FAILURE)
    missing = ConsultationRequestFactory(location=oakland)

    expected = {
        delivered: "delivered",
        retrying: "retrying",
        queued: "queued",
        failed: "failed",
        missing: "none",
    }
    states = {req: staff_notification_state(req).value for req in expected}
    assert states == expected
    response = desk_client.get(reverse(CHANGELIST))
    shown = {
        row: row.notification_state.value for row in response.context["cl"].result_list
    }
    assert shown == expected
    page = desk_client.get(
        reverse("admin:consultations_consultationrequest_change", args=[retrying.pk])
    )
    assert "the last attempt failed; retrying" in page.content.decode()
    page = desk_client.get(
        reverse("admin:consultations_consultationrequest_change", args=[failed.pk])
    )
    assert "Failed: the mail server would not take it" in page.content.decode()


def test_staff_see_a_spanish_speaker_in_the_list_and_can_filter_by_language(
    desk_client, oakland
):
    spanish = ConsultationRequestFactory(
        location=oakland, first_name="Ana", last_name="Ruiz", language="es"
    )
    english = ConsultationRequestFactory(
        location=oakland, first_name="Bo", last_name="Lee", language="en"
    )
    html = desk_client.get(reverse(CHANGELIST)).content.decode()
    # Shortened to fit the row: first name and initial.
    assert 'Ana R. <span class="triage-language">Spanish</span>' in html
    assert "Bo L.</" in html and "Bo L. <span" not in html
    assert results(desk_client, language__exact="es") == {spanish}
    assert results(desk_client, language__exact="en") == {english}


def test_the_change_view_shows_the_preferred_language(desk_client, oakland):
    request = ConsultationRequestFactory(location=oakland, language="es")
    response = desk_client.get(
        reverse("admin:consultations_consultationrequest_change", args=[request.pk])
    )
    html = response.content.decode()
    assert re.search(
        r"Preferred language:</label>\s*<div class=\"readonly\">Spanish</div>", html
    ), html[html.find("anguage") - 300 : html.find("anguage") + 300]


def test_a_staff_email_that_can_never_be_delivered_reads_failed_not_retrying(
    desk_client, oakland, settings
):
    from django.core.mail import EmailMessage
    from mailer import engine

    from core.delivery import retry_due_deferred

    settings.MAILER_EMAIL_BACKEND = "tests.core.test_mail_queue._RefusingBackend"
    settings.MAILER_MAX_ATTEMPTS = 2
    req = ConsultationRequestFactory(
        location=oakland, staff_notification_id="<never@clinic.example>"
    )
    EmailMessage(
        "s", "b", None, ["desk@clinic.example"],
        headers={"Message-ID": "<never@clinic.example>"},
    ).send()  # fmt: skip
    change = reverse("admin:consultations_consultationrequest_change", args=[req.pk])

    engine.send_all()
    assert (
        "the last attempt failed; retrying" in desk_client.get(change).content.decode()
    )
    retry_due_deferred(now=timezone.now() + dt.timedelta(days=1))
    engine.send_all()

    listing = desk_client.get(reverse(CHANGELIST))
    [row] = listing.context["cl"].result_list
    assert row.notification_state.value == "failed"
    assert "Failed: the mail server would not take it" in (
        desk_client.get(change).content.decode()
    )
