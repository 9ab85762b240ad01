from unittest import mock

from django.db import OperationalError
from django.test import Client


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
    settings.ROOT_URLCONF = "tests.site.error_urls"
    response = Client(raise_request_exception=False).get("/__tests__/fail/")
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in response.content.decode()
