import time

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape
from mailer import engine

from core import protection
from locations.forms import NEEDS_EMAIL, NEEDS_PHONE, NO_CONTACT
from locations.models import Location, WaitlistEntry
from locations.services import waitlist_entry_create, waitlist_notify_open
from tests.factories import LocationFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db

URL = "/locations/san-francisco/waitlist/"
THANKS = "/locations/san-francisco/waitlist/thanks/"


def aged_token(seconds=10):
    return protection.make_form_token(now=time.time() - seconds)


def form_data(**overrides):
    data = {
        "name": "Robin Quill",
        "email": "robin.quill@example.org",
        "phone": "",
        "preferred_contact": "",
        "consent": "on",
        "website": "",
        "form_token": aged_token(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def page(response):
    return response.content.decode()


class TestJoining:
    def test_the_name_is_cleaned_like_every_name_patients_type(self, client, clinics):
        # A right-to-left override could make the record read differently to staff.
        client.post(URL, form_data(name="Robin\u202e Quill\t\x07"))
        assert WaitlistEntry.objects.get().name == "Robin Quill"

    def test_email_only_is_stored_and_redirects_to_a_plain_thank_you(
        self, client, clinics, settings
    ):
        response = client.post(URL, form_data())

        assert response.status_code == 302
        assert response["Location"] == THANKS
        entry = WaitlistEntry.objects.get()
        assert entry.location.slug == "san-francisco"
        assert (entry.name, entry.email, entry.phone) == (
            "Robin Quill",
            "robin.quill@example.org",
            "",
        )
        assert entry.preferred_contact == "email"
        assert entry.consent_text_version == settings.CONSENT_TEXT_VERSION == "2026-11"
        assert entry.consented_at is not None
        assert len(entry.ip_hash) == 64 and "127.0.0.1" not in entry.ip_hash
        assert entry.notified_at is None

        thanks = client.get(response["Location"])
        assert thanks.status_code == 200
        assert "no-store" in thanks["Cache-Control"]
        assert "You are on the San Francisco waitlist" in page(thanks)
        assert "robin" not in page(thanks).lower()

    @pytest.mark.parametrize(
        "typed,stored",
        [
            ("(415) 555-0199", "+14155550199"),
            ("415.555.0199", "+14155550199"),
            ("415 555 0199", "+14155550199"),
            ("+1 415 555 0199", "+14155550199"),
            ("+44 20 7183 8750", "+442071838750"),
        ],
    )
    def test_phone_only_accepts_us_and_international_formats(
        self, client, clinics, typed, stored
    ):
        response = client.post(URL, form_data(email="", phone=typed))

        assert response.status_code == 302
        entry = WaitlistEntry.objects.get()
        assert entry.phone == stored
        assert entry.email == ""
        assert entry.preferred_contact == "phone"

    def test_text_message_with_a_phone(self, client, clinics):
        client.post(
            URL, form_data(email="", phone="4155550199", preferred_contact="text")
        )

        assert WaitlistEntry.objects.get().preferred_contact == "text"

    def test_a_double_submit_keeps_one_entry(self, client, clinics):
        data = form_data()
        client.post(URL, data)
        client.post(URL, {**data, "email": "ROBIN.QUILL@example.org"})

        assert WaitlistEntry.objects.count() == 1

    def test_get_on_the_form_address_goes_to_the_form(self, client, clinics):
        response = client.get(URL)

        assert response.status_code == 302
        assert response["Location"] == "/locations/san-francisco/#waitlist-form"


class TestBadInput:
    @pytest.mark.parametrize(
        "overrides,message",
        [
            ({"email": "", "phone": ""}, NO_CONTACT),
            ({"email": "", "phone": "12345"}, "Enter a valid phone number"),
            ({"phone": "call me maybe"}, "Enter a valid phone number"),
            ({"email": "robin@", "phone": ""}, "Enter an email address like"),
            ({"name": ""}, "Please tell us your name."),
            ({"name": "R" * 10_000}, "at most 100 characters"),
            # The name is cleaned like every name patients type (core.forms).
            ({"name": "Robin\x00Quill"}, "characters we cannot accept"),
            ({"email": "robin\x00@example.org"}, "Null characters are not allowed."),
            ({"email": "", "phone": "415\x00555"}, "Null characters are not allowed."),
            ({"preferred_contact": "phone"}, NEEDS_PHONE),
            ({"preferred_contact": "text"}, NEEDS_PHONE),
            (
                {"email": "", "phone": "4155550199", "preferred_contact": "email"},
                NEEDS_EMAIL,
            ),
            ({"preferred_contact": "carrier-pigeon"}, "Select a valid choice."),
            ({"consent": None}, "Please check the box to agree"),
            ({"form_token": "not-a-token"}, str(protection.TAMPERED)),
            ({"form_token": aged_token()[:-3] + "abc"}, str(protection.TAMPERED)),
            ({"form_token": None}, str(protection.TAMPERED)),
            ({"form_token": "fresh"}, str(protection.TOO_FAST)),
        ],
        ids=[
            "no-contact",
            "short-phone",
            "words-as-phone",
            "malformed-email",
            "no-name",
            "10k-name",
            "nul-name",
            "nul-email",
            "nul-phone",
            "phone-preferred-without-phone",
            "text-preferred-without-phone",
            "email-preferred-without-email",
            "unknown-method",
            "no-consent",
            "garbage-token",
            "tampered-token",
            "missing-token",
            "too-fast",
        ],
    )
    def test_is_refused_on_the_page_with_input_kept(
        self, client, clinics, overrides, message
    ):
        if overrides.get("form_token") == "fresh":
            overrides = {**overrides, "form_token": protection.make_form_token()}

        response = client.post(URL, form_data(**overrides))

        assert response.status_code == 200
        html = page(response)
        assert escape(str(message)) in html
        assert WaitlistEntry.objects.count() == 0
        assert "data-error-summary" in html
        assert "no-store" in response["Cache-Control"]
        if overrides.get("name") is None and "name" not in overrides:
            assert 'value="Robin Quill"' in html

    def test_errors_are_listed_on_top_and_next_to_each_field(self, client, clinics):
        html = page(client.post(URL, form_data(email="", phone="", consent=None)))

        start = html.index("data-error-summary")
        summary = html[start : html.index("</ul>", start)]
        assert '<a href="#id_email">' in summary
        assert '<a href="#id_consent">' in summary
        assert summary.count(str(NO_CONTACT)) == 1  # said once, not per field
        assert 'id="id_email_error"' in html
        assert 'id="id_phone_error"' in html
        assert 'aria-invalid="true"' in html
        assert "js/error-summary.js" in html

    def test_stale_token_asks_to_send_again_with_input_and_a_fresh_token(
        self, client, clinics
    ):
        stale = aged_token(protection.MAX_AGE_SECONDS + 60)

        html = page(client.post(URL, form_data(form_token=stale)))

        assert str(protection.STALE) in html
        assert 'value="Robin Quill"' in html
        assert 'value="robin.quill@example.org"' in html
        token = html.split('name="form_token" value="')[1].split('"')[0]
        assert token != stale
        assert protection.read_form_token(token, now=time.time() + 10)[1] is None
        assert WaitlistEntry.objects.count() == 0

    def test_honeypot_gets_the_same_redirect_and_stores_nothing(self, client, clinics):
        response = client.post(URL, form_data(website="https://spam.example"))

        assert response.status_code == 302
        assert response["Location"] == THANKS
        assert WaitlistEntry.objects.count() == 0

    def test_unknown_location_is_404_not_500(self, client, clinics):
        response = client.post("/locations/atlantis/waitlist/", form_data())

        assert response.status_code == 404
        assert WaitlistEntry.objects.count() == 0

    @pytest.mark.parametrize("slug", ["oakland", "closed-clinic"])
    def test_location_not_coming_soon_is_refused_clearly(self, client, clinics, slug):
        LocationFactory(slug="closed-clinic", status=Location.Status.CLOSED)

        response = client.post(f"/locations/{slug}/waitlist/", form_data())

        assert response.status_code == 409
        assert "is not taking a waitlist, so nothing was saved" in page(response)
        assert 'id="waitlist-form"' not in page(response)
        assert WaitlistEntry.objects.count() == 0

    def test_rate_limit_per_ip_gives_429(self, client, clinics, settings):
        # A day-long window: a minute window resets at the minute boundary and
        # would make the test flaky.
        settings.FORM_RATE_LIMIT = "2/d"

        codes = [client.post(URL, form_data()).status_code for _ in range(3)]
        other_ip = client.post(URL, form_data(), REMOTE_ADDR="203.0.113.9")

        assert codes == [302, 302, 429]
        assert other_ip.status_code == 302
        assert "Please wait a little before trying again" in page(
            client.post(URL, form_data())
        )


class TestService:
    def _create(self, location, **overrides):
        fields = {
            "location": location,
            "name": "Robin Quill",
            "email": "robin@example.org",
            "phone": "",
            "preferred_contact": "email",
            "consent_text_version": "2026-11",
            "ip_hash": "",
        }
        fields.update(overrides)
        return waitlist_entry_create(**fields)

    def test_refuses_a_location_that_is_not_coming_soon(self):
        location = LocationFactory(status=Location.Status.OPEN)

        with pytest.raises(ValidationError) as excinfo:
            self._create(location)

        assert excinfo.value.code == "not_coming_soon"
        assert WaitlistEntry.objects.count() == 0

    def test_validates_the_entry_before_saving(self):
        location = LocationFactory(status=Location.Status.COMING_SOON)

        with pytest.raises(ValidationError):
            self._create(location, email="", phone="")
        with pytest.raises(ValidationError):
            self._create(location, preferred_contact="fax")

        assert WaitlistEntry.objects.count() == 0

    def test_phone_only_duplicates_are_merged_but_new_people_are_added(self):
        location = LocationFactory(status=Location.Status.COMING_SOON)
        first = self._create(location, email="", phone="+14155550199")

        again = self._create(location, email="", phone="+14155550199")
        other = self._create(location, email="", phone="+14155550188")

        assert again.pk == first.pk
        assert other.pk != first.pk

    def test_someone_already_told_may_join_again(self):
        entry = WaitlistEntryFactory(email="robin@example.org")
        WaitlistEntry.objects.filter(pk=entry.pk).update(notified_at=entry.created_at)

        fresh = self._create(entry.location)

        assert fresh.pk != entry.pk


class TestLanguage:
    def test_a_sign_up_on_the_spanish_page_is_stored_as_spanish(self, client, clinics):
        response = client.post("/es" + URL, form_data())

        assert response["Location"] == "/es" + THANKS
        assert WaitlistEntry.objects.get().language == "es"
        thanks = client.get(response["Location"])
        assert '<html lang="es">' in page(thanks)

    def test_a_sign_up_on_the_english_page_is_stored_as_english(self, client, clinics):
        client.post(URL, form_data())
        assert WaitlistEntry.objects.get().language == "en"

    def test_the_open_email_goes_in_the_language_each_signed_up_in(
        self, clinics, settings, mailoutbox
    ):
        settings.SITE_URL = "https://clinic.example"
        location = Location.objects.get(slug="san-francisco")
        WaitlistEntryFactory(location=location, email="ana@example.org", language="es")
        WaitlistEntryFactory(location=location, email="bo@example.org", language="en")
        Location.objects.filter(pk=location.pk).update(status=Location.Status.OPEN)

        assert waitlist_notify_open(location=location) == 2
        engine.send_all()

        sent = {message.to[0]: message for message in mailoutbox}
        spanish, english = sent["ana@example.org"], sent["bo@example.org"]
        assert spanish.subject == "Nuestra clínica de San Francisco ya está abierta"
        assert english.subject == "Our San Francisco clinic is now open"
        assert spanish.extra_headers["Content-Language"] == "es"
        assert english.extra_headers["Content-Language"] == "en"
        html = spanish.alternatives[0][0]
        assert '<html lang="es">' in html
        assert "https://clinic.example/es/locations/san-francisco/" in spanish.body
        assert "https://clinic.example/locations/san-francisco/" in english.body
        assert "/es/" not in english.body
