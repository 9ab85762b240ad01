from unittest import mock

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from django.urls import reverse


def test_database_outage_outside_a_view_gets_the_call_us_page(demo, settings):
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("server closed the connection"),
    ):
        response = client.get("/learn/")

    assert response.status_code == 503
    body = response.content.decode()
    assert "We could not save your request just now" in body
    assert 'href="tel:+15105550100"' in body
    assert "OperationalError" not in body and "Traceback" not in body


def test_other_errors_still_get_the_500_page(demo, settings):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    response = Client(raise_request_exception=False).get("/__tests__/fail/")
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in response.content.decode()


def _session_save_hits_a_dead_database(self, must_create=False):
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        raise UpdateError  # noqa: B904 - chained as Django chains it


def test_database_lost_after_a_request_was_stored_asks_the_patient_to_call(
    demo, settings
):
    from consultations.models import ConsultationRequest
    from tests.security.hostile import consultation_data

    client = Client(raise_request_exception=False)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.save",
        _session_save_hits_a_dead_database,
    ):
        response = client.post("/consultation/", consultation_data(1, "oakland"))

    # The request is in the database, but the patient cannot be shown the
    # thank-you page: they must not be told it failed, nor that it worked.
    assert ConsultationRequest.objects.count() == 1
    assert response.status_code == 503
    body = response.content.decode()
    assert "We could not confirm your request" in body
    assert "nothing was sent" not in body
    assert 'href="tel:+15105550100"' in body


@pytest.mark.parametrize(
    "query",
    ["language__exact=a%00b", "q=%00", "status%00=new", "o=1%00"],
)
def test_a_nul_in_an_admin_filter_is_refused_not_a_server_error(
    otp_staff_client, query
):
    url = reverse("admin:consultations_consultationrequest_changelist")
    response = otp_staff_client.get(f"{url}?{query}")
    assert response.status_code == 400


def test_a_nul_in_a_posted_form_gets_a_message_and_stores_nothing(client, demo):
    from consultations.models import ConsultationRequest
    from tests.security.hostile import consultation_data

    response = client.post(
        "/consultation/", consultation_data(1, "oakland", message="a\x00b")
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


def test_a_nul_in_an_admin_form_post_is_refused(otp_staff_client):
    url = reverse("admin:consultations_consultationrequest_changelist")
    response = otp_staff_client.post(url, {"action": "x\x00", "_selected_action": "1"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_with_the_database_down_the_error_page_shows_the_fallback_phone(settings):
    from core.models import SiteSettings

    SiteSettings(brand_name="Lanternfield", main_phone="+15105550100").save()
    cache.clear()  # a process that has not read the record yet
    settings.CLINIC_FALLBACK_NAME = "Harborview Fallback Clinic"
    settings.CLINIC_FALLBACK_PHONE = "+15105550199"
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    down = OperationalError("server closed the connection")
    with (
        mock.patch(
            "django.contrib.sessions.backends.db.SessionStore.load", side_effect=down
        ),
        mock.patch.object(SiteSettings.objects, "filter", side_effect=down),
    ):
        response = client.get("/learn/")

    assert response.status_code == 503
    body = response.content.decode()
    assert 'href="tel:+15105550199"' in body
    assert "(510) 555-0199" in body
    assert "Harborview Fallback Clinic" in body
    # The stand-in is not cached: once the database is back, the record shows.
    assert SiteSettings.load().main_phone.as_e164 == "+15105550100"
