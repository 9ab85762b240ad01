"""The patient's signed, single-use withdraw link."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from mailer.models import Message

from consultations.models import ConsultationRequest, Status
from consultations.services.intake import consultation_request_create
from consultations.withdraw import SALT, WITHDRAW_LINK_MAX_AGE, withdraw_token
from tests.factories import ConsultationRequestFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


def link_in(email):
    found = re.search(r"https?://\S+/consultation/withdraw/\S+/", email.body)
    return found and found.group(0)


@pytest.fixture
def stored(service_kwargs):
    return consultation_request_create(**service_kwargs)


def patient_email():
    return [
        m.email for m in Message.objects.order_by("pk") if "patient" in m.email.to[0]
    ][-1]


def path_of(url):
    return "/" + url.split("/", 3)[3]


def test_the_acknowledgement_email_carries_a_link_without_personal_data(stored):
    url = link_in(patient_email())
    assert url
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert signing.loads(token, salt=SALT) == {
        "r": stored.pk,
        "c": int(stored.created_at.timestamp()),
    }
    for detail in ["Marisol", "Quintero", "5550142", "marisol", stored.reference]:
        assert detail not in url


def test_opening_the_link_changes_nothing_and_one_button_withdraws(client, stored):
    url = path_of(link_in(patient_email()))
    before = Message.objects.count()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert stored.reference in html
    assert "Marisol" not in html
    assert 'id="withdraw-button"' in html
    stored.refresh_from_db()
    assert stored.status == Status.NEW

    done = client.post(url)
    assert done.status_code == 200
    assert 'id="withdrawn"' in done.content.decode()
    stored.refresh_from_db()
    assert stored.status == Status.WITHDRAWN
    assert stored.closed_at is not None
    latest = stored.history.latest()
    assert latest.history_user is None
    assert latest.history_change_reason == "Withdrawn by the patient"
    # Staff are not emailed about it.
    assert Message.objects.count() == before


def test_a_second_use_gets_a_clear_page_and_changes_nothing(client, stored):
    url = path_of(link_in(patient_email()))
    client.post(url)
    stored.refresh_from_db()
    closed_at = stored.closed_at
    for method in (client.get, client.post):
        again = method(url)
        assert again.status_code == 410
        assert "already closed" in again.content.decode()
    stored.refresh_from_db()
    assert stored.closed_at == closed_at
    assert stored.history.count() == 2


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "",
        "eyJyIjoxLCJjIjowfQ:1v0000:forged-signature",
        "x" * 5000,
        "%00%ff",
    ],
)
def test_a_forged_link_gets_a_clear_page_never_a_500(client, stored, token):
    url = f"/consultation/withdraw/{token}/" if token else "/consultation/withdraw/x/"
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (400, 404)
    stored.refresh_from_db()
    assert stored.status == Status.NEW


def test_a_token_for_another_row_or_signed_elsewhere_is_refused(client, stored):
    other = signing.dumps({"r": stored.pk, "c": 1}, salt=SALT)
    wrong_salt = signing.dumps(
        {"r": stored.pk, "c": int(stored.created_at.timestamp())}, salt="other"
    )
    for token in (other, wrong_salt):
        response = client.post(f"/consultation/withdraw/{token}/")
        assert response.status_code == 400
        assert "not complete or not valid" in response.content.decode()
    stored.refresh_from_db()
    assert stored.status == Status.NEW


def test_an_expired_link_gets_a_clear_page_and_changes_nothing(client, stored):
    url = path_of(link_in(patient_email()))
    later = dt.datetime.now().timestamp() + WITHDRAW_LINK_MAX_AGE.total_seconds() + 60
    with mock.patch("time.time", return_value=later):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 410
            assert "expired" in response.content.decode()
    stored.refresh_from_db()
    assert stored.status == Status.NEW


def test_a_request_staff_closed_cannot_be_withdrawn(client, stored):
    ConsultationRequest.objects.filter(pk=stored.pk).update(status=Status.COMPLETED)
    response = client.post(f"/consultation/withdraw/{withdraw_token(stored)}/")
    assert response.status_code == 410
    stored.refresh_from_db()
    assert stored.status == Status.COMPLETED


def test_an_urgent_request_gets_no_link_and_a_made_one_does_nothing(
    client, service_kwargs
):
    urgent = consultation_request_create(
        **{**service_kwargs, "self_harm_answer": "yes"}
    )
    assert link_in(patient_email()) is None
    response = client.post(f"/consultation/withdraw/{withdraw_token(urgent)}/")
    assert response.status_code == 410
    assert "please call the clinic" in response.content.decode().lower()
    urgent.refresh_from_db()
    assert urgent.status == Status.NEW


def test_the_staff_list_shows_it_withdrawn_by_the_patient(client, desk_client, oakland):
    req = ConsultationRequestFactory(location=oakland)
    from django.test import Client

    Client().post(f"/consultation/withdraw/{withdraw_token(req)}/")
    html = desk_client.get(CHANGELIST, {"status": "withdrawn"}).content.decode()
    assert req.reference in html
    assert "Withdrawn by patient" in html
    history = desk_client.get(
        reverse("admin:consultations_consultationrequest_history", args=[req.pk])
    ).content.decode()
    assert "The patient (withdraw link)" in history


def test_the_link_page_is_private_and_not_cached(client, stored):
    response = client.get(f"/consultation/withdraw/{withdraw_token(stored)}/")
    assert "no-store" in response.get("Cache-Control", "") or "private" in response.get(
        "Cache-Control", ""
    )
    assert '<meta name="robots" content="noindex">' in response.content.decode()
