import pytest
from django.http import QueryDict

from consultations.forms import ConsultationRequestForm
from core import protection
from core.templatetags.form_tags import error_summary
from core.text import clean_text
from locations.models import Location
from tests.consultations.helpers import aged_token
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def bound(data):
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return ConsultationRequestForm(query)


def test_valid_answers_clean_to_service_arguments(valid_data, location):
    form = bound(valid_data)
    assert form.is_valid(), form.errors
    data = form.service_data()
    assert data["location"] == location
    assert data["phone"].as_e164 == "+15105550142"
    assert data["call_times"] == ["morning", "evening"]
    assert data["self_harm_answer"] == "no"
    assert not form.is_bot


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("(510) 555-0142", "+15105550142"),
        ("510-555-0142", "+15105550142"),
        ("510.555.0142", "+15105550142"),
        ("5105550142", "+15105550142"),
        ("+1 510 555 0142", "+15105550142"),
        ("1 (510) 555-0142", "+15105550142"),
        ("+44 20 7183 8750", "+442071838750"),
        ("+52 55 5555 1234", "+525555551234"),
    ],
)
def test_phone_accepts_common_us_formats_and_international_numbers(
    valid_data, typed, stored
):
    form = bound({**valid_data, "phone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"].as_e164 == stored


@pytest.mark.parametrize("typed", ["555-0142", "12345", "call me", "+999 123"])
def test_phone_refuses_numbers_that_cannot_be_dialled(valid_data, typed):
    form = bound({**valid_data, "phone": typed})
    assert not form.is_valid()
    assert "phone" in form.errors


def test_email_is_optional_for_a_phone_call(valid_data):
    assert bound({**valid_data, "email": ""}).is_valid()


def test_email_is_required_when_email_is_the_contact_method(valid_data):
    form = bound({**valid_data, "email": "", "preferred_contact": "email"})
    assert not form.is_valid()
    assert form.errors["email"] == [
        "Enter your email address, or choose another way for us to contact you."
    ]


def test_only_open_locations_can_be_chosen(valid_data):
    LocationFactory(slug="soon", status=Location.Status.COMING_SOON)
    LocationFactory(slug="shut", status=Location.Status.TEMPORARILY_CLOSED)
    form = ConsultationRequestForm()
    assert [loc.slug for loc in form.open_locations] == ["harbor"]
    for slug in ["soon", "shut", "no-such-place", "1"]:
        form = bound({**valid_data, "location": slug})
        assert not form.is_valid()
        assert form.errors["location"] == ["Choose one of the clinics in the list."]


def test_best_times_label_names_the_chosen_locations_time_zone(location):
    LocationFactory(slug="east", time_zone="America/New_York")
    blank = ConsultationRequestForm()
    assert "in the clinic&#x27;s local time" in str(blank.fields["call_times"].label)
    preselected = ConsultationRequestForm(initial={"location": location})
    assert "(Pacific time)" in str(preselected.fields["call_times"].label)
    east = bound({"location": "east"})
    assert "(Eastern time)" in str(east.fields["call_times"].label)


def test_consent_is_a_separate_unticked_box_that_links_the_privacy_notice(
    valid_data,
):
    form = ConsultationRequestForm()
    html = str(form["consent"])
    assert "checked" not in html
    assert 'href="/privacy/"' in str(form.fields["consent"].label)
    form = bound({**valid_data, "consent": ""})
    assert not form.is_valid()
    assert "consent" in form.errors


def test_message_is_limited_to_1000_characters(valid_data):
    assert bound({**valid_data, "message": "a" * 1000}).is_valid()
    form = bound({**valid_data, "message": "a" * 1001})
    assert not form.is_valid()
    assert "1000" in form.errors["message"][0]


def test_language_and_interest_come_from_fixed_lists(valid_data):
    assert not bound({**valid_data, "language": "fr"}).is_valid()
    assert not bound({**valid_data, "interest": "ketamine"}).is_valid()
    assert bound({**valid_data, "interest": ""}).is_valid()
    assert not bound({**valid_data, "call_times": ["midnight"]}).is_valid()


@pytest.mark.parametrize("answer", ["", "yes", "no", "prefer_not"])
def test_self_harm_question_is_optional(valid_data, answer):
    form = bound({**valid_data, "self_harm": answer})
    assert form.is_valid()
    assert form.crisis_panel_hidden is (answer != "yes")


def test_control_and_bidi_characters_are_stripped_from_text(valid_data):
    form = bound(
        {
            **valid_data,
            "first_name": "Mari\u202esol\x07",
            "last_name": "Quin\r\ntero\u2066",
            "message": "Line one\r\n\x1b[31mLine two\u202d\x7f",
            "heard_about": "my\tdoctor\x85",
        }
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["first_name"] == "Marisol"
    assert data["last_name"] == "Quin tero"
    assert data["message"] == "Line one\n[31mLine two"
    assert data["heard_about"] == "my doctor"


def test_nul_characters_are_refused_not_stored(valid_data):
    form = bound({**valid_data, "first_name": "Mari\x00sol"})
    assert not form.is_valid()
    assert "first_name" in form.errors


def test_a_name_of_only_invisible_characters_counts_as_empty(valid_data):
    form = bound({**valid_data, "first_name": "\u202e\u2066\x1b"})
    assert form.errors["first_name"] == ["Enter your first name."]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"),
        ("a\u2066b\u2067c\u2068d\u2069e", "abcde"),
        ("  two   spaces\n", "two spaces"),
        ("zero\u200dwidth joiner kept", "zero\u200dwidth joiner kept"),
    ],
)
def test_clean_text_single_line(value, expected):
    assert clean_text(value) == expected


def test_clean_text_keeps_line_breaks_only_when_multiline():
    assert clean_text("a\r\nb\rc\u2028d", multiline=True) == "a\nb\nc\nd"
    assert clean_text("a\r\nb\rc\u2028d") == "a b c d"


@pytest.mark.parametrize("source", ["/locations/oakland/", "/"])
def test_source_page_keeps_a_site_path(valid_data, source):
    form = bound({**valid_data, "source_page": source})
    assert form.is_valid()
    assert form.cleaned_data["source_page"] == source


@pytest.mark.parametrize(
    "source",
    ["https://evil.example/", "//evil.example", "/path?phone=5105550142", "/a b"],
)
def test_source_page_drops_anything_but_a_bare_path(valid_data, source):
    form = bound({**valid_data, "source_page": source})
    assert form.is_valid()
    assert form.cleaned_data["source_page"] == ""


def test_honeypot_marks_the_submission_as_a_bot(valid_data):
    form = bound({**valid_data, "website": "http://spam.example"})
    assert form.is_valid()
    assert form.is_bot


def test_a_form_sent_within_three_seconds_is_refused(valid_data):
    assert protection.MIN_FILL_SECONDS == 3
    form = bound({**valid_data, "form_token": aged_token(seconds=1)})
    assert not form.is_valid()
    assert form.non_field_errors() == [str(protection.TOO_FAST)]
    assert bound({**valid_data, "form_token": aged_token(seconds=4)}).is_valid()


@pytest.mark.parametrize("token", ["", "garbage", aged_token(10)[:-2] + "xx"])
def test_a_missing_or_tampered_token_is_refused(valid_data, token):
    form = bound({**valid_data, "form_token": token})
    assert not form.is_valid()
    assert form.non_field_errors() == [str(protection.TAMPERED)]


def test_a_stale_form_asks_to_resend_and_keeps_the_answers(valid_data):
    stale = aged_token(seconds=protection.MAX_AGE_SECONDS + 60)
    form = bound({**valid_data, "form_token": stale})
    assert not form.is_valid()
    assert form.non_field_errors() == [str(protection.STALE)]
    assert form.data["first_name"] == "Marisol"
    assert form.data["form_token"] != stale


def test_submission_token_is_the_same_for_the_same_rendered_form(valid_data):
    first, second = bound(valid_data), bound(valid_data)
    assert first.submission_token == second.submission_token
    other = bound({**valid_data, "form_token": aged_token(11)})
    assert other.submission_token != first.submission_token


def test_error_summary_links_each_problem_to_its_field(valid_data):
    form = bound({**valid_data, "first_name": "", "preferred_contact": ""})
    form.is_valid()
    assert ("id_first_name", "Enter your first name.") in error_summary(form)
    assert (
        "id_preferred_contact_0",
        "Choose how we should contact you.",
    ) in error_summary(form)
