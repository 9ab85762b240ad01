"""Likely repeats: linked for staff, both ways; closed only by hand, and logged."""

import pytest
from django.urls import reverse

from consultations.models import ConsultationRequest, Status
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


def change_url(req):
    return reverse("admin:consultations_consultationrequest_change", args=[req.pk])


@pytest.fixture
def pair(oakland):
    first = ConsultationRequestFactory(location=oakland, phone="+15105550142")
    repeat = ConsultationRequestFactory(
        location=oakland, phone="+15105550142", repeat_of=first
    )
    return first, repeat


def test_change_view_shows_the_link_both_ways(desk_client, pair):
    first, repeat = pair
    html = desk_client.get(change_url(repeat)).content.decode()
    assert "Possible repeat of" in html
    assert f'href="{change_url(first)}">{first.reference}</a>' in html

    html = desk_client.get(change_url(first)).content.decode()
    assert "Possible repeats of this request" in html
    assert f'href="{change_url(repeat)}">{repeat.reference}</a>' in html


def test_the_list_filters_repeats(desk_client, pair, oakland):
    first, repeat = pair
    alone = ConsultationRequestFactory(location=oakland)
    repeats = desk_client.get(CHANGELIST, {"repeat": "yes"}).context["cl"].result_list
    assert [r.pk for r in repeats] == [repeat.pk]
    linked = desk_client.get(CHANGELIST, {"repeat": "linked"}).context["cl"]
    assert [r.pk for r in linked.result_list] == [first.pk]
    assert alone.pk not in [r.pk for r in repeats]


def test_closing_as_a_repeat_is_by_hand_and_logged(desk_client, front_desk, pair):
    first, repeat = pair
    response = desk_client.post(
        CHANGELIST,
        {
            "action": "close_as_repeat",
            "_selected_action": [first.pk, repeat.pk],
        },
    )
    assert response.status_code == 302
    repeat.refresh_from_db()
    first.refresh_from_db()
    assert repeat.status == Status.REPEAT
    assert repeat.closed_at is not None
    # The earlier one is not a linked repeat: left open, untouched.
    assert first.status == Status.NEW
    latest = repeat.history.latest()
    assert latest.history_user == front_desk
    assert latest.history_change_reason == f"Closed as a repeat of {first.reference}"


def test_repeat_is_never_a_status_choice_in_the_change_form(desk_client, pair):
    _first, repeat = pair
    form = desk_client.get(change_url(repeat)).context["adminform"].form
    assert Status.REPEAT not in [v for v, _ in form["status"].field.widget.choices]
    assert ConsultationRequest.objects.filter(status=Status.REPEAT).count() == 0
