"""Property tests: hostile input never breaks the form, the store or the email.

1,100 generated inputs per run, spread over four tests. Each example
runs inside a savepoint that is rolled back, so examples never see each
other's rows or queued mail.
"""

import unicodedata
from contextlib import contextmanager
from email import message_from_bytes

import pytest
from django import forms
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from mailer.models import Message

from consultations.forms import ConsultationRequestForm, PlainTextField
from consultations.models import ConsultationRequest
from consultations.services.intake import consultation_request_create
from core.text import BIDI_CONTROLS
from locations.models import Location
from tests.consultations.helpers import aged_token
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db
URL = "/consultation/"

HOSTILE_SNIPPETS = [
    "\x00",
    "\r\nBcc: victim@evil.example",
    "\nCc: victim@evil.example",
    "\rTo: victim@evil.example",
    "%0d%0aBcc:victim@evil.example",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE consultations_consultationrequest; --",
    "' OR '1'='1",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
    "\x1b[2J",
    "\ufeff",
    "\x7f",
    "\x85",
    "\u2028",
    "\t",
]
FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "email",
    "location",
    "preferred_contact",
    "call_times",
    "language",
    "interest",
    "message",
    "heard_about",
    "self_harm",
    "consent",
    "website",
    "source_page",
    "form_token",
]
SETTINGS = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}
EMAIL_HEADERS = {
    "content-type",
    "mime-version",
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "auto-submitted",
    "content-language",
}

snippet = st.sampled_from(HOSTILE_SNIPPETS)
short_hostile_text = st.one_of(
    st.text(max_size=60),
    snippet,
    st.lists(st.one_of(snippet, st.text(max_size=12)), max_size=6).map("".join),
)
huge_text = st.tuples(st.characters(), st.integers(9_990, 10_010)).map(
    lambda t: t[0] * t[1]
)
# About one value in eight is 10,000 characters long: enough to find a
# missing length check without making every example slow.
hostile_text = st.sampled_from(range(8)).flatmap(
    lambda n: huge_text if n == 7 else short_hostile_text
)


def field_value(good=(), bad=()):
    """Usually a sensible answer (so many examples get through), else an attack."""
    attacks = st.sampled_from(bad) | hostile_text if bad else hostile_text
    if good:
        # sampled_from picks evenly; integers() would favour the edge values.
        single = st.sampled_from(range(6)).flatmap(
            lambda n: attacks if n == 5 else st.sampled_from(good)
        )
    else:
        single = attacks
    # A list posts the same name several times (parameter pollution).
    return st.sampled_from(range(10)).flatmap(
        lambda n: st.lists(single, min_size=2, max_size=3) if n == 9 else single
    )


FIELD_VALUES = {
    "first_name": field_value(["Ana", "José", "محمد"]),
    "last_name": field_value(["Lee", "O'Brien-Núñez"]),
    "phone": field_value(["(510) 555-0142", "+442071838750"], ["555", "+1"]),
    "email": field_value(
        ["", "ana@patient.example"],
        [
            "ana@patient.example\r\nBcc: victim@evil.example",
            "ana@patient.example, victim@evil.example",
            "victim@evil.example>\r\nTo: <ana@patient.example",
        ],
    ),
    "location": field_value(
        ["harbor"], ["soon", "nowhere", "1", "-1", "harbor' --", ""]
    ),
    "preferred_contact": field_value(["phone", "text", "email"]),
    "call_times": field_value(["morning", "evening"], ["midnight"]),
    "language": field_value(["en", "es"], ["fr"]),
    "interest": field_value(["", "ptsd", "other"], ["ketamine"]),
    "message": field_value(["", "I would like to know more."]),
    "heard_about": field_value(["", "A friend"]),
    "self_harm": field_value(["", "yes", "no", "prefer_not"], ["maybe"]),
    "consent": field_value(["on"], [""]),
    "website": field_value([""]),
    "source_page": field_value(["/", "/locations/harbor/"], ["https://evil.example/"]),
    "form_token": field_value(["<fresh>"]),
}


@st.composite
def hostile_posts(draw):
    data = {name: draw(FIELD_VALUES[name]) for name in FIELDS}
    for name in draw(st.sets(st.sampled_from(FIELDS), max_size=3)):
        del data[name]
    if data.get("form_token") == "<fresh>":
        data["form_token"] = aged_token()
    return data


def no_nul(max_size):
    text = st.text(max_size=max_size) | snippet | short_hostile_text
    return text.map(lambda s: s.replace("\x00", "")[:max_size])


@st.composite
def valid_posts_with_hostile_text(draw):
    """Answers that must be accepted, wrapped around hostile text and markers."""
    return {
        "first_name": draw(no_nul(20)) + "Zephyrine" + draw(no_nul(20)),
        "last_name": draw(no_nul(20)) + "Quillfeather" + draw(no_nul(20)),
        "phone": draw(st.sampled_from(["(510) 555-0142", "+442071838750"])),
        "email": draw(
            st.sampled_from(
                ["", "pat@patient.example", "Pat.O'Neil+tag@Patient.Example"]
            )
        ),
        "email_copy": "on",
        "location": "harbor",
        "preferred_contact": draw(st.sampled_from(["phone", "text"])),
        "call_times": draw(st.lists(st.sampled_from(["morning", "evening"]))),
        "language": draw(st.sampled_from(["en", "es"])),
        "interest": draw(st.sampled_from(["", "ptsd", "chronic_pain"])),
        "message": draw(no_nul(300)) + "Marrowglen" + draw(no_nul(300)),
        "heard_about": draw(no_nul(40)),
        "self_harm": draw(st.sampled_from(["", "yes", "no", "prefer_not"])),
        "consent": "on",
        "website": "",
        "form_token": aged_token(),
    }


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def locations(db, settings):
    settings.FORM_RATE_LIMIT = "100000/h"
    harbor = LocationFactory(slug="harbor", name="Harbor")
    LocationFactory(slug="soon", status=Location.Status.COMING_SOON)
    return harbor


def invisible(char, *, allow_newline=False):
    if allow_newline and char == "\n":
        return False
    return unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS


def assert_stored_requests_are_clean():
    for consultation in ConsultationRequest.objects.all():
        for name in ["first_name", "last_name", "heard_about"]:
            value = getattr(consultation, name)
            assert not any(invisible(c) for c in value), (name, value)
            assert len(value) <= 100
        assert not any(invisible(c, allow_newline=True) for c in consultation.message)
        assert len(consultation.message) <= 1000
        assert "\r" not in consultation.message


def assert_queued_mail_is_safe(location):
    allowed = set(location.notification_email_list) | {
        c.email for c in ConsultationRequest.objects.exclude(email="")
    }
    for queued in Message.objects.all():
        email = queued.email
        assert set(email.recipients()) <= allowed
        assert email.cc == [] and email.bcc == [] and email.reply_to == []
        assert "\r" not in email.subject and "\n" not in email.subject
        parsed = message_from_bytes(email.message().as_bytes())
        assert {key.lower() for key in parsed.keys()} <= EMAIL_HEADERS
        assert len(parsed.get_all("To")) == 1


@hypothesis_settings(max_examples=450, **SETTINGS)
@given(data=hostile_posts())
def test_hostile_answers_are_refused_or_stored_clean(locations, data):
    query = QueryDict(mutable=True)
    for name, value in data.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    with rolled_back():
        form = ConsultationRequestForm(query)
        valid = form.is_valid()
        event("valid" if valid else "refused")
        if not valid or form.is_bot:
            return
        consultation_request_create(
            **form.service_data(),
            submission_token=form.submission_token,
            ip_hash="0" * 64,
        )
        assert ConsultationRequest.objects.count() == 1
        assert_stored_requests_are_clean()
        assert_queued_mail_is_safe(locations)


@hypothesis_settings(max_examples=200, **SETTINGS)
@given(data=hostile_posts())
def test_hostile_posts_never_fail_and_invalid_ones_store_nothing(
    client, locations, data
):
    with rolled_back():
        response = client.post(URL, data)
        event(f"HTTP {response.status_code}")
        assert response.status_code in (200, 303)
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        if response.status_code == 200:
            assert ConsultationRequest.objects.count() == 0
            assert Message.objects.count() == 0
        else:
            assert ConsultationRequest.objects.count() <= 1
            assert_stored_requests_are_clean()
            assert_queued_mail_is_safe(locations)


@hypothesis_settings(max_examples=150, **SETTINGS)
@given(data=valid_posts_with_hostile_text())
def test_valid_posts_with_hostile_text_add_no_header_or_recipient(
    client, locations, data
):
    with rolled_back():
        response = client.post(URL, data)
        assert response.status_code == 303, response.context["form"].errors
        consultation = ConsultationRequest.objects.get()
        assert "Zephyrine" in consultation.first_name
        assert consultation.urgent == (data["self_harm"] == "yes")
        assert_stored_requests_are_clean()
        assert_queued_mail_is_safe(locations)
        emails = [queued.email for queued in Message.objects.order_by("pk")]
        assert emails[0].to == locations.notification_email_list
        assert len(emails) == (2 if data["email"] else 1)
        for email in emails:
            raw = email.message().as_bytes().decode("utf-8", "replace")
            for marker in ["Zephyrine", "Quillfeather", "Marrowglen"]:
                assert marker not in raw


@hypothesis_settings(max_examples=300, **SETTINGS)
@given(value=hostile_text, multiline=st.booleans())
def test_text_fields_never_keep_invisible_characters(value, multiline):
    field = PlainTextField(multiline=multiline, required=False, max_length=1000)
    try:
        cleaned = field.clean(value)
    except forms.ValidationError:
        assert "\x00" in value or len(value) > 1000
        return
    assert not any(invisible(c, allow_newline=multiline) for c in cleaned)
    assert "\r" not in cleaned
    if not multiline:
        assert "\n" not in cleaned
    assert field.clean(cleaned) == cleaned
