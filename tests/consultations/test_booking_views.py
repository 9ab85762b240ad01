"""Picking a call time on /consultation/: the list, a taken time, the thank-you page."""

import datetime as dt

import pytest
from django.utils.formats import date_format

from consultations.booking.forms import TAKEN_MESSAGE
from consultations.booking.models import Booking
from consultations.booking.services import booking_create, location_free_slots
from consultations.models import ConsultationRequest
from core.models import SiteSettings
from tests.consultations.booking_helpers import bookable_location, slots_ahead
from tests.consultations.helpers import aged_token
from tests.factories import ConsultationRequestFactory, LocationFactory

pytestmark = pytest.mark.django_db
URL = "/consultation/"
THANKS = "/consultation/thanks/"


@pytest.fixture(autouse=True)
def _brand(db):
    SiteSettings(brand_name="Lanternfield", main_phone="+15105550100").save()


@pytest.fixture
def bookable():
    return bookable_location(slug="harbor", name="Harbor")


def form_data(location, **extra):
    return {
        "first_name": "Marisol",
        "last_name": "Quintero",
        "phone": "(510) 555-0142",
        "email": "marisol@patient.example",
        "location": location.slug,
        "preferred_contact": "phone",
        "language": "en",
        "consent": "on",
        "form_token": aged_token(),
        "slots_for": location.slug,
        **extra,
    }


def test_a_location_without_published_times_gets_the_form_as_before(client):
    LocationFactory(slug="plain", name="Plain")
    html = client.get(URL + "?location=plain").content.decode()
    assert 'id="slot-picker"' not in html
    assert 'name="slot"' not in html
    assert "choose-clinic-for-times" not in html
    assert 'id="div_id_call_times"' in html


def test_times_are_listed_by_day_in_the_clinics_zone_in_words(client, bookable):
    slots = location_free_slots(bookable)
    first = slots[0].starts_at
    html = client.get(URL + "?location=harbor").content.decode()
    assert 'id="slot-picker"' in html
    assert "When should we call you? (Pacific time)" in html
    assert f'<summary class="h6 mb-2">{date_format(first.date(), "l, F j")} ' in html
    assert f'value="{slots[0].key}"' in html
    assert date_format(first, "g:i a") in html and ("a.m." in html or "p.m." in html)
    assert 'name="slot" value="" id="id_slot_0" checked' in html
    assert html.count('<details class="slot-day') == 5  # the next five days
    assert 'id="div_id_call_times"' in html  # "call me when you can" keeps its times


def test_without_a_clinic_chosen_the_page_links_each_bookable_clinic(client, bookable):
    LocationFactory(slug="plain", name="Plain")
    html = client.get(URL).content.decode()
    assert 'id="slot-picker"' not in html
    assert 'href="/consultation/?location=harbor">Harbor</a>' in html
    assert "?location=plain" not in html


def test_booking_a_time_stores_the_request_with_its_booking(client, bookable):
    slot = slots_ahead(bookable)[0]
    response = client.post(URL, form_data(bookable, slot=slot.key))
    assert response.status_code == 303
    consultation = ConsultationRequest.objects.get()
    booking = Booking.objects.live().get()
    assert booking.request == consultation and booking.starts_at == slot.starts_at
    page = client.get(THANKS).content.decode()
    local = slot.starts_at
    assert (
        f"booked for {date_format(local.date(), 'l, F j')} at "
        f"{date_format(local, 'g:i a')} (Pacific time)"
    ) in page
    assert "by the end of the business day" not in page


def test_call_me_when_you_can_books_nothing(client, bookable):
    response = client.post(URL, form_data(bookable, slot="", call_times=["morning"]))
    assert response.status_code == 303
    assert ConsultationRequest.objects.get().call_times == ["morning"]
    assert not Booking.objects.exists()
    assert "by the end of the business day" in client.get(THANKS).content.decode()


def test_a_time_just_taken_keeps_the_request_and_offers_other_times(client, bookable):
    slot = slots_ahead(bookable)[0]
    booking_create(
        request=ConsultationRequestFactory(location=bookable), starts_at=slot.starts_at
    )
    data = form_data(bookable, slot=slot.key, message="Evenings are hard.")
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "That time was just taken, please pick another." in html
    assert str(TAKEN_MESSAGE) in html
    assert "Evenings are hard." in html  # what they typed is all still there
    assert f'value="{slot.key}"' not in html  # the taken time is gone
    assert 'name="slot" value="" id="id_slot_0" checked' in html
    mine = ConsultationRequest.objects.get(last_name="Quintero")
    assert not mine.bookings.exists()  # stored, as "call me when you can"

    other = slots_ahead(bookable)[0]
    again = client.post(URL, {**data, "slot": other.key})
    assert again.status_code == 303
    assert ConsultationRequest.objects.filter(last_name="Quintero").count() == 1
    assert mine.bookings.live().get().starts_at == other.starts_at


def test_the_same_form_sent_again_without_a_time_is_still_one_request(client, bookable):
    slot = slots_ahead(bookable)[0]
    booking_create(
        request=ConsultationRequestFactory(location=bookable), starts_at=slot.starts_at
    )
    data = form_data(bookable, slot=slot.key)
    assert client.post(URL, data).status_code == 200
    assert client.post(URL, {**data, "slot": ""}).status_code == 303
    assert ConsultationRequest.objects.filter(last_name="Quintero").count() == 1


def test_a_time_shown_for_another_clinic_is_refused_and_nothing_stored(
    client, bookable
):
    other = bookable_location(slug="hill", name="Hill")
    slot = slots_ahead(bookable)[0]
    data = form_data(other, slot=slot.key, slots_for="harbor")
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The times you saw were for another clinic. Choose a time for Hill" in html
    assert 'data-location="hill"' in html  # now listing Hill's times
    assert not ConsultationRequest.objects.exists()


def test_a_forged_time_is_refused_politely(client, bookable):
    for value in ("tomorrow", "2026-13-01T99:00Z"):
        response = client.post(URL, form_data(bookable, slot=value))
        assert response.status_code == 200
        assert "Choose one of the times offered." in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_a_time_outside_the_windows_is_never_booked(client, bookable):
    slot = slots_ahead(bookable)[0]
    off = (slot.starts_at + dt.timedelta(minutes=7)).astimezone(dt.UTC)
    response = client.post(URL, form_data(bookable, slot=f"{off:%Y-%m-%dT%H:%MZ}"))
    assert response.status_code == 200
    assert "That time was just taken" in response.content.decode()
    assert ConsultationRequest.objects.count() == 1
    assert not Booking.objects.exists()


def test_an_urgent_request_with_a_time_follows_the_urgent_path(client, bookable):
    slot = slots_ahead(bookable)[0]
    response = client.post(URL, form_data(bookable, slot=slot.key, self_harm="yes"))
    assert response.status_code == 303
    consultation = ConsultationRequest.objects.get()
    assert consultation.urgent
    assert consultation.bookings.live().exists()
    page = client.get(THANKS).content.decode()
    assert "a clinician will try to reach you sooner than that" in page
    assert 'class="crisis-panel' in page
    assert page.index("crisis-panel") < page.index("booked-call")


def test_the_slot_list_costs_the_same_queries_with_1_or_40_bookings(client, bookable):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL + "?location=harbor").status_code == 200
        return len(captured)

    slots = location_free_slots(bookable)
    booking_create(
        request=ConsultationRequestFactory(location=bookable),
        starts_at=slots[0].starts_at,
    )
    queries()  # warm: site settings are cached after the first page
    one = queries()
    for slot in slots[1:40]:
        booking_create(
            request=ConsultationRequestFactory(location=bookable),
            starts_at=slot.starts_at,
        )
    assert queries() == one
    assert one <= 10
