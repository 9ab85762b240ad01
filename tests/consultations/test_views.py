import datetime as dt
import logging
import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from mailer import engine
from mailer.models import Message

from consultations.models import REFERENCE_ALPHABET, ConsultationRequest
from core import protection
from core.models import SiteSettings
from locations.models import Location
from tests.consultations.helpers import aged_token
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db
URL = "/consultation/"
THANKS = "/consultation/thanks/"


@pytest.fixture(autouse=True)
def _brand(db):
    SiteSettings(brand_name="Lanternfield", main_phone="+15105550100").save()


def reference_on(response):
    match = re.search(
        f'id="reference">([{REFERENCE_ALPHABET}]{{8}})<', response.content.decode()
    )
    return match and match.group(1)


def test_form_page_is_private_and_renders_every_field_with_a_label(client, location):
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for field in [
        "first_name",
        "last_name",
        "phone",
        "email",
        "location",
        "message",
        "heard_about",
        "consent",
    ]:
        assert f'for="id_{field}"' in html, field
    for group in ["preferred_contact", "call_times", "language", "self_harm"]:
        assert f'id="div_id_{group}"' in html and "<legend" in html
    assert 'id="crisis-panel" class="crisis-panel mb-3" hidden' in html
    assert "js/form.js" in html
    assert "<script>" not in html


def test_location_query_preselects_an_open_location(client, location):
    LocationFactory(slug="hill", name="Hill")
    response = client.get(URL + "?location=harbor")
    html = response.content.decode()
    assert '<option value="harbor" selected' in html
    assert "(Pacific time)" in html


def test_coming_soon_location_gets_a_clear_message_instead(client, location):
    LocationFactory(slug="hill", name="Hill")
    LocationFactory(slug="soon", name="Seaview", status=Location.Status.COMING_SOON)
    response = client.get(URL + "?location=soon")
    html = response.content.decode()
    assert "Our Seaview clinic is not open yet" in html
    assert '<option value="soon"' not in html
    assert '<option value="" selected>' in html


@pytest.mark.parametrize("slug", ["nowhere", "\x00", "a" * 500, "<b>"])
def test_unknown_location_query_is_ignored(client, location, slug):
    response = client.get(URL, {"location": slug})
    assert response.status_code == 200
    assert "not open yet" not in response.content.decode()


def test_referring_page_on_this_site_is_kept_as_source(client, location):
    response = client.get(URL, HTTP_REFERER="http://testserver/locations/harbor/")
    assert 'name="source_page" value="/locations/harbor/"' in response.content.decode()
    response = client.get(URL, HTTP_REFERER="https://elsewhere.example/x/")
    assert "elsewhere" not in response.content.decode()


def test_valid_post_redirects_to_thanks_without_personal_data_in_the_url(
    client, valid_data
):
    response = client.post(URL, valid_data)
    assert response.status_code == 303
    assert response["Location"] == THANKS
    consultation = ConsultationRequest.objects.get()
    assert consultation.ip_hash and "127.0.0.1" not in consultation.ip_hash
    page = client.get(THANKS)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert reference_on(page) == consultation.reference
    html = page.content.decode()
    assert "by the end of the business day on" in html
    assert "(Pacific time)" in html
    assert "What the call covers" in html
    assert "988" in html


def test_thanks_without_a_submission_goes_back_to_the_form(client, location):
    response = client.get(THANKS)
    assert response.status_code == 302
    assert response["Location"] == URL


def test_urgent_answer_shows_crisis_guidance_on_the_thank_you_page(client, valid_data):
    client.post(URL, {**valid_data, "self_harm": "yes"})
    assert ConsultationRequest.objects.get().urgent
    html = client.get(THANKS).content.decode()
    assert 'class="crisis-panel' in html
    for text in ["tel:988", "Text HOME to", "741741", "tel:911"]:
        assert text in html


def test_the_session_never_holds_the_urgent_answer_and_lasts_an_hour(
    client, valid_data
):
    from django.contrib.sessions.models import Session

    client.post(URL, {**valid_data, "self_harm": "yes"})
    [stored] = Session.objects.all()
    data = stored.get_decoded()
    assert "urgent" not in str(data) and "self_harm" not in str(data)
    assert set(data["consultation_thanks"]) >= {"reference", "location"}
    lifetime = stored.expire_date - timezone.now()
    assert dt.timedelta(minutes=59) < lifetime <= dt.timedelta(hours=1)
    # The urgent page still comes from the stored request.
    assert 'class="crisis-panel' in client.get(THANKS).content.decode()


def test_thank_you_data_older_than_an_hour_is_not_shown(client, valid_data):
    client.post(URL, valid_data)
    session = client.session
    session["consultation_thanks"]["at"] -= 3601
    session.save()
    response = client.get(THANKS)
    assert response.status_code == 302
    assert "consultation_thanks" not in client.session


def test_non_urgent_thank_you_page_still_reminds_of_crisis_lines(client, valid_data):
    client.post(URL, valid_data)
    html = client.get(THANKS).content.decode()
    assert 'class="crisis-panel' not in html
    assert "If you need help before we call" in html


def test_errors_show_in_a_focusable_summary_and_keep_what_was_typed(client, valid_data):
    response = client.post(
        URL, {**valid_data, "phone": "12", "consent": "", "self_harm": "yes"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="error-summary" id="error-summary" tabindex="-1"' in html
    assert html.index("error-summary") < html.index("<h1>")
    assert '<a href="#id_phone">' in html
    assert '<a href="#id_consent">' in html
    assert 'value="Marisol"' in html
    assert 'value="12"' in html
    assert "Panic attacks most evenings since spring.</textarea>" in html
    assert 'value="evening"  id="id_call_times_2" checked' in html
    assert 'id="crisis-panel" class="crisis-panel mb-3">' in html
    assert "<title>There is a problem" in html
    assert ConsultationRequest.objects.count() == 0
    assert Message.objects.count() == 0


def test_double_submit_creates_one_request(client, valid_data):
    first = client.post(URL, valid_data)
    second = client.post(URL, valid_data)
    assert first.status_code == second.status_code == 303
    assert ConsultationRequest.objects.count() == 1
    assert (
        reference_on(client.get(THANKS)) == ConsultationRequest.objects.get().reference
    )


@pytest.mark.parametrize(
    "change",
    [
        {"phone": "510.555.0142", "email": ""},
        {"phone": "(503) 555-0177", "email": "MARISOL@PATIENT.EXAMPLE"},
    ],
    ids=["phone in another format", "email in another case"],
)
def test_a_repeat_submitter_sees_only_their_own_reference_and_answers(
    client, valid_data, change
):
    """The privacy bug: a match on phone or email showed the first person's request."""
    from django.test import Client

    client.post(URL, {**valid_data, "self_harm": "yes"})
    original = ConsultationRequest.objects.get()
    other = Client()
    response = other.post(
        URL,
        {
            **valid_data,
            **change,
            "first_name": "Luz",
            "self_harm": "no",
            "form_token": aged_token(20),
        },
    )
    assert response.status_code == 303
    assert ConsultationRequest.objects.count() == 2
    mine = ConsultationRequest.objects.exclude(pk=original.pk).get()
    page = other.get(THANKS)
    html = page.content.decode()
    assert reference_on(page) == mine.reference != original.reference
    assert original.reference not in html
    # Their own answer ("no"), not the first person's crisis text.
    assert 'id="crisis-panel"' not in html
    assert "You told us you are having thoughts" not in html
    original.refresh_from_db()
    assert original.first_name == "Marisol"


def test_honeypot_gets_the_same_redirect_and_nothing_is_stored(client, valid_data):
    response = client.post(URL, {**valid_data, "website": "http://spam.example"})
    assert response.status_code == 303
    assert response["Location"] == THANKS
    assert ConsultationRequest.objects.count() == 0
    assert Message.objects.count() == 0
    assert reference_on(client.get(THANKS))


def test_too_fast_submission_is_refused_politely(client, valid_data):
    response = client.post(URL, {**valid_data, "form_token": aged_token(seconds=0)})
    assert response.status_code == 200
    assert str(protection.TOO_FAST) in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


def test_stale_form_keeps_input_and_gets_a_fresh_token(client, valid_data):
    stale = aged_token(seconds=protection.MAX_AGE_SECONDS + 5)
    response = client.post(URL, {**valid_data, "form_token": stale})
    html = response.content.decode()
    assert "This form was open for a long time" in html
    assert 'value="Marisol"' in html
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    assert token != stale
    assert ConsultationRequest.objects.count() == 0


def test_database_down_shows_a_503_with_the_phone_never_a_thank_you(client, valid_data):
    with mock.patch(
        "consultations.views.consultation_request_create",
        side_effect=OperationalError("server closed the connection"),
    ):
        response = client.post(URL, valid_data)
    assert response.status_code == 503
    html = response.content.decode()
    assert "We could not save your request" in html
    assert 'href="tel:+15105550100"' in html
    assert "Thank you" not in html
    assert client.get(THANKS).status_code == 302


def test_database_down_while_reading_locations_is_also_a_503(client, valid_data):
    with mock.patch(
        "consultations.forms.Location.objects.accepting_requests",
        side_effect=OperationalError,
    ):
        assert client.post(URL, valid_data).status_code == 503
        assert client.get(URL).status_code == 503


def test_redis_down_the_form_still_stores_and_the_limit_fails_open_and_logs(
    client, valid_data, settings, dead_redis, caplog
):
    settings.FORM_RATE_LIMIT = "1/d"
    assert client.get(URL).status_code == 200
    with caplog.at_level(logging.WARNING, logger="core.protection"):
        for n in range(3):
            data = {**valid_data, "phone": f"+1510555{101 + n:04d}"}
            data["form_token"] = aged_token()
            response = client.post(URL, data)
            assert response.status_code == 303
            assert client.get(response["Location"]).status_code == 200
    assert ConsultationRequest.objects.count() == 3
    assert Message.objects.count() >= 3  # staff emails queued with each request
    let_through = [r for r in caplog.records if "let through" in r.getMessage()]
    assert len(let_through) == 3


@pytest.mark.parametrize(
    ("preferred_contact", "email_copy", "acknowledged"),
    [
        ("phone", "", False),
        ("text", "", False),
        ("phone", "on", True),
        ("email", "", True),
    ],
)
def test_the_patient_is_emailed_only_when_they_chose_email_or_asked_for_a_copy(
    client, valid_data, mailoutbox, preferred_contact, email_copy, acknowledged
):
    data = {**valid_data, "preferred_contact": preferred_contact}
    data["email_copy"] = email_copy
    assert client.post(URL, data).status_code == 303
    engine.send_all()
    to_patient = [m for m in mailoutbox if m.to == ["marisol@patient.example"]]
    assert len(to_patient) == int(acknowledged)
    for message in to_patient:
        reference = ConsultationRequest.objects.get().reference
        assert message.subject == f"Recibimos su solicitud ({reference})"
        assert "etamine" not in message.subject


def test_one_address_gets_at_most_the_daily_cap_of_acknowledgements(
    client, valid_data, mailoutbox, settings
):
    settings.PATIENT_ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = 2
    for n in range(4):
        data = {**valid_data, "phone": f"+1510555{101 + n:04d}"}
        data["email"] = "Victim@Example.org" if n % 2 else "victim@example.org"
        data["form_token"] = aged_token()
        assert client.post(URL, data).status_code == 303
    assert ConsultationRequest.objects.count() == 4  # every request is stored
    engine.send_all()
    to_patient = [m for m in mailoutbox if m.to[0].lower() == "victim@example.org"]
    assert len(to_patient) == 2


class TestRateLimit:
    @pytest.fixture(autouse=True)
    def _limit(self, settings):
        settings.FORM_RATE_LIMIT = "3/d"

    def post(self, client, valid_data, n, **extra):
        return client.post(
            URL,
            {
                **valid_data,
                "phone": f"+1510555{101 + n:04d}",
                "email": "",
                "form_token": aged_token(),
            },
            **extra,
        )

    def test_past_the_limit_a_429_page_with_the_phone_number(self, client, valid_data):
        codes = [self.post(client, valid_data, n).status_code for n in range(3)]
        assert codes == [303, 303, 303]
        blocked = self.post(client, valid_data, 3)
        assert blocked.status_code == 429
        assert 'href="tel:+15105550100"' in blocked.content.decode()
        assert ConsultationRequest.objects.count() == 3

    def test_ipv6_clients_are_grouped_by_their_64(self, client, valid_data):
        # One household or host rotating through its /64 is one client.
        codes = [
            self.post(
                client, valid_data, n, REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}"
            ).status_code
            for n in range(4)
        ]
        assert codes == [303, 303, 303, 429]
        other = self.post(client, valid_data, 4, REMOTE_ADDR="2001:db8:1:3::1")
        assert other.status_code == 303

    def test_only_posts_count(self, client, valid_data):
        for _ in range(5):
            assert client.get(URL).status_code == 200
        assert self.post(client, valid_data, 0).status_code == 303

    def test_spoofed_forwarded_for_does_not_reset_the_limit_without_a_proxy(
        self, client, valid_data, settings
    ):
        settings.TRUSTED_PROXY_COUNT = 0
        codes = [
            self.post(
                client, valid_data, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
            ).status_code
            for n in range(5)
        ]
        assert codes == [303, 303, 303, 429, 429]

    def test_spoofed_forwarded_for_does_not_reset_the_limit_behind_one_proxy(
        self, client, valid_data, settings
    ):
        settings.TRUSTED_PROXY_COUNT = 1
        # The client forges the left part; the proxy appends the address it saw.
        codes = [
            self.post(
                client,
                valid_data,
                n,
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9",
            ).status_code
            for n in range(5)
        ]
        assert codes == [303, 303, 303, 429, 429]
        other_client = self.post(
            client, valid_data, 9, HTTP_X_FORWARDED_FOR="203.0.113.77"
        )
        assert other_client.status_code == 303


class TestSpanish:
    def test_the_spanish_form_asks_for_spanish_by_default(self, client, location):
        html = client.get("/es" + URL).content.decode()
        assert '<html lang="es">' in html
        assert re.search(r'<input[^>]*name="language"[^>]*value="es"[^>]*checked', html)
        assert not re.search(r'name="language" value="en"[^>]*checked', html)
        english = client.get(URL).content.decode()
        assert re.search(
            r'<input[^>]*name="language"[^>]*value="en"[^>]*checked', english
        )

    def test_a_request_from_the_spanish_page_is_stored_and_answered_in_spanish(
        self, client, valid_data, mailoutbox
    ):
        response = client.post("/es" + URL, valid_data, HTTP_REFERER="/es/learn/")

        assert response.status_code == 303
        assert response["Location"] == "/es" + THANKS
        consultation = ConsultationRequest.objects.get()
        assert consultation.language == "es"
        thanks = client.get(response["Location"])
        assert '<html lang="es">' in thanks.content.decode()
        assert reference_on(thanks) == consultation.reference

        engine.send_all()
        sent = {message.to[0]: message for message in mailoutbox}
        patient = sent["marisol@patient.example"]
        # Neutral: no clinic name (it says "ketamine") where anyone sees it.
        assert patient.subject == f"Recibimos su solicitud ({consultation.reference})"
        assert patient.extra_headers["Content-Language"] == "es"
        assert '<html lang="es">' in patient.alternatives[0][0]
        # The crisis line in the Spanish options, in both parts of the email.
        for part in (patient.body, patient.alternatives[0][0]):
            assert "llame al 988 y marque el 2 para español" in part
            assert "envíe AYUDA por mensaje de texto al 988 o AYUDA al 741741" in part
            assert "HOME" not in part
        # Staff read their notification in English, whatever the patient's language.
        (staff,) = [m for m in mailoutbox if m is not patient]
        assert staff.extra_headers["Content-Language"] == "en"
        assert staff.subject.startswith("New consultation request")
        # Worded when each email is rendered: the zone and the day in the
        # patient's email are Spanish, in the staff email English.
        assert "hora del" in patient.body and "hora del" not in staff.body
        assert re.search(r"on (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, ", staff.body)
        assert re.search(
            r"(lunes|martes|miércoles|jueves|viernes) \d+ de ", patient.body
        )

    def test_the_email_follows_the_stored_language_not_the_page(
        self, client, valid_data, mailoutbox
    ):
        # Asked on the Spanish page, but the patient chose English.
        client.post("/es" + URL, {**valid_data, "language": "en"})

        assert ConsultationRequest.objects.get().language == "en"
        engine.send_all()
        patient = next(m for m in mailoutbox if m.to == ["marisol@patient.example"])
        assert patient.extra_headers["Content-Language"] == "en"
        assert patient.subject.startswith("We have your request")


def test_thanks_page_with_the_database_down_asks_to_call_and_never_says_nothing_was_sent(
    client, valid_data
):
    client.post(URL, valid_data)
    consultation = ConsultationRequest.objects.get()
    with mock.patch.object(
        Location.objects, "filter", side_effect=OperationalError("server closed")
    ):
        response = client.get(THANKS)

    assert response.status_code == 503
    html = response.content.decode()
    # The request is stored; the page cannot show it, so it asks for a call.
    assert "We could not confirm your request" in html
    assert "nothing was sent" not in html
    assert 'href="tel:+15105550100"' in html
    assert consultation.reference not in html
    assert "OperationalError" not in html
